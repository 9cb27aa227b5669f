package xlstm.training.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import xlstm.runtime.UserError;
import xlstm.runtime.tokenizer.Tokenizer;

/**
 * A text file as one sequence of token ids: through the project's {@link Tokenizer} ({@code tokenizer.json}), or
 * its UTF-8 bytes (ids 0..255, vocabulary 256) when no tokenizer is given.
 */
public record TokenStream(int[] tokens, int vocabSize, String source) {
    /** Vocabulary of the byte-level fallback. */
    public static final int BYTE_VOCAB = 256;

    public TokenStream {
        for (int t : tokens) {
            if (t < 0 || t >= vocabSize) throw new IllegalArgumentException("token " + t + " outside [0, " + vocabSize + ")");
        }
    }

    public int length() { return tokens.length; }

    /** The bytes of {@code text} (UTF-8) as ids 0..255. */
    public static TokenStream ofBytes(byte[] text, String source) {
        int[] ids = new int[text.length];
        for (int i = 0; i < text.length; i++) ids[i] = text[i] & 0xFF;
        return new TokenStream(ids, BYTE_VOCAB, source);
    }

    /** Reads {@code textFile}; tokenizes it with {@code tokenizerFile} (null: byte level, no tokenizer). */
    public static TokenStream read(Path textFile, Path tokenizerFile) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(textFile);
        } catch (NoSuchFileException e) {
            throw new UserError(textFile + ": no such file (the training text)");
        } catch (IOException e) {
            throw new UserError(textFile + ": cannot read (" + e.getMessage() + ")", e);
        }
        if (tokenizerFile == null) return ofBytes(bytes, textFile + " (bytes)");
        try (Tokenizer tok = Tokenizer.load(tokenizerFile)) {
            long[] ids = tok.encode(new String(bytes, StandardCharsets.UTF_8), false);
            int[] out = Arrays.stream(ids).mapToInt(Math::toIntExact).toArray();
            return new TokenStream(out, tok.vocabSize(), textFile + " (" + tokenizerFile.getFileName() + ")");
        }
    }

    /** Tokens [from, to). */
    public TokenStream range(int from, int to) {
        return new TokenStream(Arrays.copyOfRange(tokens, from, to), vocabSize, source);
    }
}
