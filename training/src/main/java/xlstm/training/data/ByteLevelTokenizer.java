package xlstm.training.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import xlstm.runtime.UserError;

/**
 * A {@code tokenizer.json} whose ids are the UTF-8 bytes of the text (id = byte value, 256 tokens): the tokenizer of
 * a model trained on the byte-level fallback of {@link TokenStream}, so that the exported model directory works with
 * {@code xlstm generate} like any Hugging Face checkpoint. It is GPT-2's byte-level BPE without merges: the
 * ByteLevel pre-tokenizer maps each byte to one printable character (GPT-2's byte-to-unicode table) and the
 * vocabulary maps that character back to the byte's value.
 */
public final class ByteLevelTokenizer {
    public static final int VOCAB_SIZE = 256;

    private ByteLevelTokenizer() {}

    /** Writes the tokenizer to {@code file}. */
    public static void write(Path file) {
        try {
            Files.writeString(file, json());
        } catch (IOException e) {
            throw new UserError(file + ": cannot write the byte-level tokenizer (" + e.getMessage() + ")", e);
        }
    }

    static String json() {
        ObjectMapper om = new ObjectMapper();
        ObjectNode root = om.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        root.putArray("added_tokens");
        root.putNull("normalizer");
        root.set("pre_tokenizer", byteLevel(om));
        root.putNull("post_processor");
        root.set("decoder", byteLevel(om));
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        ObjectNode vocab = model.putObject("vocab");
        int[] symbol = byteSymbols();
        for (int b = 0; b < VOCAB_SIZE; b++) vocab.put(Character.toString(symbol[b]), b);
        model.putArray("merges");
        try {
            return om.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ObjectNode byteLevel(ObjectMapper om) {
        ObjectNode n = om.createObjectNode();
        n.put("type", "ByteLevel");
        n.put("add_prefix_space", false);
        n.put("trim_offsets", false);
        n.put("use_regex", false);
        return n;
    }

    /**
     * GPT-2's {@code bytes_to_unicode}: printable bytes stand for themselves, the others for 256, 257, ... in byte
     * order, so every byte has a visible, unambiguous character.
     */
    static int[] byteSymbols() {
        int[] symbol = new int[VOCAB_SIZE];
        int next = 256;
        for (int b = 0; b < VOCAB_SIZE; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            symbol[b] = printable ? b : next++;
        }
        return symbol;
    }
}
