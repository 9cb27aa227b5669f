package xlstm.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The README's main command: the shipped default model (models/moby-dick) writes English-looking text. */
class DefaultModelTest {
    private static final Path MODEL = Path.of("..", "models", "moby-dick");

    @Test
    void generatesEnglishLookingText() {
        assertTrue(Files.isDirectory(MODEL), "the default model is in the repository: " + MODEL.toAbsolutePath());
        Cli.Result r = Cli.run("generate", "--model", MODEL.toString(), "--prompt", "Call me Ishmael.", "-n", "200",
                "--seed", "1").assertOk();
        String text = r.out();
        assertTrue(r.err().contains("200 new tokens"), r.err());
        // a model of random weights writes random bytes; this one has learnt the text's letters and words
        long plain = text.chars().filter(c -> Character.isLetter(c) || c == ' ' || ",.;:'\"!?-\n".indexOf(c) >= 0).count();
        assertTrue(plain >= 0.9 * text.length(), "letters, spaces and punctuation: " + text);
        assertTrue(text.contains(" the "), "the commonest word appears: " + text);
    }
}
