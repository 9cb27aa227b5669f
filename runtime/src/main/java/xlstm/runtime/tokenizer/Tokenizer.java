package xlstm.runtime.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import xlstm.runtime.UserError;
import xlstm.runtime.config.ConfigFiles;

/**
 * A Hugging Face tokenizer ({@code tokenizer.json}, as every transformers checkpoint ships it), run by the
 * Rust {@code tokenizers} library through DJL ({@code ai.djl.huggingface:tokenizers}). No truncation and no
 * padding are applied: a prompt is encoded whole. The vocabulary size and the ids of named tokens are read from
 * the JSON itself (DJL does not expose them).
 *
 * <p>DJL runs offline here: unless the system property {@code ai.djl.offline} (or the environment variable
 * {@code DJL_OFFLINE}) says otherwise, it is set to {@code true} before the first tokenizer loads, so nothing is
 * downloaded; the native library comes from the DJL jar and is unpacked into {@code DJL_CACHE_DIR} (a system
 * property or environment variable; DJL's default is {@code ~/.djl.ai}). The {@code ./xlstm} launcher points it
 * at {@code work-area/djl-cache} of the project.
 *
 * <p>Instances are thread-safe for encoding and decoding; {@link #close()} frees the native tokenizer.
 */
public final class Tokenizer implements AutoCloseable {
    /** The file name transformers uses. */
    public static final String FILE_NAME = "tokenizer.json";

    private final Path path;
    private final HuggingFaceTokenizer hf;
    private final int vocabSize;
    private final Map<String, Integer> ids;
    private final Set<Integer> specialIds;

    private Tokenizer(Path path, HuggingFaceTokenizer hf, int vocabSize, Map<String, Integer> ids, Set<Integer> special) {
        this.path = path;
        this.hf = hf;
        this.vocabSize = vocabSize;
        this.ids = ids;
        this.specialIds = special;
    }

    /**
     * Loads {@code tokenizer.json}: the file itself, or a checkpoint directory holding one. Errors (no such file,
     * not JSON, a file the tokenizers library rejects) are {@link UserError}s naming the file.
     */
    public static Tokenizer load(Path fileOrDir) {
        Path file = Files.isDirectory(fileOrDir) ? fileOrDir.resolve(FILE_NAME) : fileOrDir;
        if (!Files.isRegularFile(file)) {
            if (Files.isDirectory(fileOrDir)) {
                throw new UserError(fileOrDir + ": no " + FILE_NAME + " in this directory (the tokenizer of the"
                        + " checkpoint; give one with --tokenizer FILE, or pass token ids with --prompt-ids)");
            }
            throw new UserError(file + ": no such tokenizer file");
        }
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new UserError(file + ": no such tokenizer file");
        } catch (IOException e) {
            throw new UserError(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        JsonNode root = ConfigFiles.parseText(text, false, file.toString());
        Map<String, Integer> ids = new HashMap<>();
        Set<Integer> special = new HashSet<>();
        int size = vocabOf(file, root, ids, special);
        configureDjl();
        HuggingFaceTokenizer hf;
        try {
            hf = HuggingFaceTokenizer.builder()
                    .optTokenizerPath(file)
                    .optAddSpecialTokens(true)
                    .optTruncation(false)
                    .optPadding(false)
                    .build();
        } catch (IOException e) {
            throw new UserError(file + ": cannot read (" + e.getMessage() + ")", e);
        } catch (UnsatisfiedLinkError | ExceptionInInitializerError | NoClassDefFoundError e) {
            throw nativeError(e);
        } catch (RuntimeException e) {
            if (isNativeLoadFailure(e)) throw nativeError(e);
            String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
            throw new UserError(file + ": not a tokenizer the tokenizers library can load: " + msg, e);
        }
        return new Tokenizer(file, hf, size, Collections.unmodifiableMap(ids), Collections.unmodifiableSet(special));
    }

    /** Vocabulary size: one more than the largest id of the model's vocabulary and the added tokens. */
    private static int vocabOf(Path file, JsonNode root, Map<String, Integer> ids, Set<Integer> special) {
        if (!root.isObject()) throw new UserError(file + ": not a tokenizer.json (the top level is not an object)");
        JsonNode model = root.get("model");
        if (model == null || !model.isObject()) throw new UserError(file + ": not a tokenizer.json (no \"model\" object)");
        int max = -1;
        JsonNode vocab = model.get("vocab");
        if (vocab != null && vocab.isObject()) {
            for (Map.Entry<String, JsonNode> e : vocab.properties()) {
                int id = e.getValue().asInt(-1);
                if (id < 0) throw new UserError(file + ": vocab entry '" + e.getKey() + "' has no valid id");
                ids.put(e.getKey(), id);
                max = Math.max(max, id);
            }
        } else if (vocab != null && vocab.isArray()) { // Unigram: [[piece, score], ...]
            for (int i = 0; i < vocab.size(); i++) {
                JsonNode p = vocab.get(i);
                if (p.isArray() && !p.isEmpty()) ids.putIfAbsent(p.get(0).asText(), i);
            }
            max = vocab.size() - 1;
        } else {
            throw new UserError(file + ": not a tokenizer.json (\"model\" has no \"vocab\")");
        }
        JsonNode added = root.get("added_tokens");
        if (added != null && added.isArray()) {
            for (JsonNode t : added) {
                int id = t.path("id").asInt(-1);
                String content = t.path("content").asText(null);
                if (id < 0 || content == null) continue;
                ids.put(content, id);
                if (t.path("special").asBoolean(false)) special.add(id);
                max = Math.max(max, id);
            }
        }
        if (max < 0) throw new UserError(file + ": the tokenizer's vocabulary is empty");
        return max + 1;
    }

    private static boolean isNativeLoadFailure(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof UnsatisfiedLinkError) return true;
            if (c.getMessage() != null && c.getMessage().contains("native library")) return true;
        }
        return false;
    }

    private static UserError nativeError(Throwable e) {
        return new UserError("cannot load the tokenizers native library (DJL ships it for linux-x86_64, linux-aarch64,"
                + " macOS and Windows; this is " + System.getProperty("os.name") + " " + System.getProperty("os.arch")
                + "): " + e, e);
    }

    /** Runs DJL offline unless told otherwise (nothing is ever downloaded). */
    static synchronized void configureDjl() {
        if (System.getProperty("ai.djl.offline") == null && System.getenv("DJL_OFFLINE") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
    }

    /** The tokenizer file. */
    public Path path() { return path; }

    /** One more than the largest token id (the embedding must have at least this many rows). */
    public int vocabSize() { return vocabSize; }

    /** The id of a token of the vocabulary or of the added tokens (e.g. {@code "<|endoftext|>"}), or null. */
    public Integer tokenId(String token) { return ids.get(token); }

    /** True for the ids of added tokens marked {@code special}. */
    public boolean isSpecial(long id) { return id <= Integer.MAX_VALUE && specialIds.contains((int) id); }

    /**
     * Token ids of {@code text} with the tokenizer's own special tokens (its post-processor template, if any;
     * GPT-2 and GPT-NeoX add none). {@code text} must be valid Unicode ({@link Utf8#check}).
     */
    public long[] encode(String text) { return encode(text, true); }

    /** As {@link #encode(String)}; {@code addSpecialTokens = false} for a continuation of earlier text. */
    public long[] encode(String text, boolean addSpecialTokens) {
        Utf8.check(text, "text", false);
        if (text.isEmpty()) return new long[0];
        return hf.encode(text, addSpecialTokens, false).getIds();
    }

    /** The tokens (as the vocabulary spells them) of {@code text}, without special tokens. */
    public String[] tokens(String text) {
        Utf8.check(text, "text", false);
        return hf.encode(text, false, false).getTokens();
    }

    /**
     * The text of {@code ids}; with {@code skipSpecialTokens} special tokens are left out. Bytes that do not form
     * valid UTF-8 (a character split across tokens, at the end) come out as U+FFFD.
     */
    public String decode(long[] ids, boolean skipSpecialTokens) {
        for (long id : ids) {
            if (id < 0 || id >= vocabSize) {
                throw new UserError("token id " + id + " is outside the tokenizer's vocabulary (" + path + ": ids 0.."
                        + (vocabSize - 1) + ")");
            }
        }
        if (ids.length == 0) return "";
        return hf.decode(ids, skipSpecialTokens);
    }

    /** The text of {@code ids}, special tokens left out. */
    public String decode(long... ids) { return decode(ids, true); }

    /** A fresh incremental decoder for streaming (special tokens left out). */
    public StreamDecoder streamDecoder() { return new StreamDecoder(this, true); }

    @Override
    public void close() { hf.close(); }

    @Override
    public String toString() { return "Tokenizer[" + path + ", " + vocabSize + " tokens]"; }
}
