package xlstm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `xlstm generate` with text, `convert` and `random-checkpoint`, through the real command line. */
class GenerateTextTest {
    @TempDir static Path tmp;
    static Path model;

    @BeforeAll
    static void checkpoint() { model = TextFixtures.checkpoint(tmp.resolve("model"), 4_000_000); }

    private static Cli.Result gen(String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "generate";
        all[1] = "--model";
        all[2] = model.toString();
        System.arraycopy(args, 0, all, 3, args.length);
        return Cli.run(all);
    }

    @Test
    void textInTextOutWithSpeed() {
        Cli.Result r = gen("--prompt", "Hello, world! 🦙", "-n", "12", "--ignore-eos").assertOk();
        assertFalse(r.out().isBlank(), "generated text on stdout");
        assertTrue(r.err().contains("first token after") && r.err().contains("tokens/s"), r.err());
        assertTrue(r.err().contains("12 new tokens"), r.err());
        // greedy (the default without a generation config) is deterministic
        assertEquals(r.out(), gen("--prompt", "Hello, world! 🦙", "-n", "12", "--ignore-eos").assertOk().out());
        Cli.Result echo = gen("--prompt", "Hello, world! 🦙", "-n", "12", "--ignore-eos", "--echo").assertOk();
        assertEquals("Hello, world! 🦙" + r.out(), echo.out());
    }

    @Test
    void seedsMakeSamplingReproducible() {
        String[] opts = {"--prompt", "Once upon a time", "-n", "16", "--temperature", "0.9", "--top-k", "40",
                "--top-p", "0.95", "--repetition-penalty", "1.1", "--ignore-eos"};
        String a = gen(concat(opts, "--seed", "7")).assertOk().out();
        assertEquals(a, gen(concat(opts, "--seed", "7")).assertOk().out());
        assertNotEquals(a, gen(concat(opts, "--seed", "8")).assertOk().out());
        // temperature 0 is greedy whatever the seed
        assertEquals(gen("--prompt", "Once upon a time", "-n", "16", "--ignore-eos").out(),
                gen("--prompt", "Once upon a time", "-n", "16", "--ignore-eos", "--temperature", "0", "--seed", "3").out());
    }

    @Test
    void stopStringsAndEos() {
        String full = gen("--prompt", "Hello", "-n", "16", "--ignore-eos").assertOk().out().strip();
        String stop = full.substring(2, 4);
        Cli.Result r = gen("--prompt", "Hello", "-n", "16", "--ignore-eos", "--stop", stop).assertOk();
        assertEquals(full.substring(0, full.indexOf(stop)), r.out().strip());
        assertTrue(r.err().contains("stop: stop_string"), r.err());
    }

    @Test
    void batchOfPrompts() {
        Cli.Result r = gen("--prompt", "Hello", "--prompt", "The quick brown fox", "-n", "5", "--ignore-eos").assertOk();
        assertTrue(r.out().contains("--- [1] ---") && r.out().contains("--- [2] ---"), r.out());
        assertTrue(r.err().contains("batch of 2"), r.err());
        String single = gen("--prompt", "The quick brown fox", "-n", "5", "--ignore-eos").assertOk().out().strip();
        assertTrue(r.out().strip().endsWith(single), "row 2 equals the single run:\n" + r.out() + "\nvs\n" + single);
        Cli.Result ids = gen("--prompt-ids", "1,2,3", "--prompt-ids", "4,5", "-n", "3", "--ignore-eos").assertOk();
        List<String> lines = ids.out().strip().lines().toList();
        assertEquals(2, lines.size(), ids.out());
        for (String l : lines) assertTrue(l.matches("\\d+,\\d+,\\d+"), l);
    }

    @Test
    void promptFileAndVerboseTimings() throws IOException {
        Path f = Files.writeString(tmp.resolve("prompt.txt"), "Grüße aus Köln 🦙\n");
        Cli.Result r = gen("--prompt-file", f.toString(), "-n", "4", "--ignore-eos", "--verbose").assertOk();
        for (String phase : List.of("timings:", "configs", "tokenizer", "weights (mapped)", "tokenize", "prefill",
                "first token", "decode", "total", "peak RSS", "backend cpu")) {
            assertTrue(r.err().contains(phase), "verbose names " + phase + ":\n" + r.err());
        }
    }

    @Test
    void interactiveKeepsTheStateBetweenTurns() {
        String input = "The first turn\nand a second one\n\n/reset\nafter the reset\n/quit\nnever read\n";
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(new String[] {"generate", "--model", model.toString(), "--interactive", "-n", "4",
                        "--ignore-eos"}, new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)),
                new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(0, code, err.toString());
        String e = err.toString();
        assertTrue(e.contains("[turn 1] fed 3 new tokens"), e);
        // turn 2 feeds "\nand a second one" (the pending token of turn 1 goes with it), not the whole history
        assertTrue(e.contains("[turn 2] fed 5 new tokens"), e);
        assertTrue(e.contains("the state now holds 16 tokens"), e);
        assertTrue(e.contains("[turn 3] fed 0 new tokens") && e.contains("the state now holds 20 tokens"), e);
        assertTrue(e.contains("state reset") && e.contains("[turn 1] fed 3 new tokens in"), e);
        assertTrue(e.indexOf("[turn 1]") != e.lastIndexOf("[turn 1]"), "turns count again after /reset: " + e);
        assertFalse(e.contains("[turn 2] fed 3"), "nothing after /quit is read: " + e);
    }

    @Test
    void convertAndLoadBf16() {
        Path out = tmp.resolve("bf16");
        Cli.Result r = Cli.run("convert", "--dtype", "bf16", "--max-shard-size", "3MB", model.toString(), out.toString())
                .assertOk();
        assertTrue(r.err().contains("converted"), r.err());
        assertTrue(Files.isRegularFile(out.resolve("model.safetensors.index.json")));
        assertTrue(Files.isRegularFile(out.resolve("tokenizer.json")));
        String a = Cli.run("generate", "--model", out.toString(), "--prompt", "Hello", "-n", "6", "--ignore-eos")
                .assertOk().out();
        String b = gen("--prompt", "Hello", "-n", "6", "--ignore-eos", "--dtype", "bf16").assertOk().out();
        assertEquals(a, b, "converting on load computes what the converted checkpoint computes");
        Cli.run("convert", "--dtype", "bf16", model.toString(), out.toString()).assertUserError("already exists");
    }

    @Test
    void randomCheckpointCommand() {
        Path out = tmp.resolve("random_small");
        Cli.Result r = Cli.run("random-checkpoint", "--preset", "small", "--max-shard-size", "40MB", "--tokenizer",
                TextFixtures.gpt2Tokenizer().toString(), out.toString()).assertOk();
        assertTrue(r.err().contains("28,978,464 parameters"), r.err());
        assertTrue(Files.isRegularFile(out.resolve("model.safetensors.index.json")));
        assertTrue(Files.isRegularFile(out.resolve("generation_config.json")));
        Cli.run("generate", "--model", out.toString(), "--prompt", "Hi", "-n", "2").assertOk();
    }

    /**
     * Text in, text out with the golden HF fixture (vocab 113) and a character-level tokenizer of 100 tokens
     * (src/test/resources/ascii-tokenizer): the fixture has no tokenizer of its own.
     */
    @Test
    void goldenFixtureWithACharacterTokenizer() {
        Path golden = Path.of("..", "golden-tests", "src", "test", "resources", "golden", "hf_xlstm_small", "hf");
        Path ascii = Path.of("src", "test", "resources", "ascii-tokenizer", "tokenizer.json");
        Cli.Result r = Cli.run("generate", "--model", golden.toString(), "--tokenizer", ascii.toString(),
                "--prompt", "Hello, world!", "-n", "20", "--echo", "--ignore-eos").assertOk();
        assertTrue(r.out().startsWith("Hello, world!") && r.out().strip().length() > "Hello, world!".length(), r.out());
        assertTrue(r.err().contains("prompt 13 tokens") && r.err().contains("20 new tokens"), r.err());
        // the same greedy ids as --prompt-ids with the characters' ids (H=44, e=73, ...)
        String ids = Cli.run("generate", "--model", golden.toString(), "--prompt-ids", "44,73,80,80,83", "-n", "5",
                "--ignore-eos").assertOk().out().strip();
        String text = Cli.run("generate", "--model", golden.toString(), "--tokenizer", ascii.toString(), "--prompt",
                "Hello", "-n", "5", "--ignore-eos").assertOk().out();
        // up to the first id the tokenizer does not know (100..112 are never sampled when there is a tokenizer)
        StringBuilder expected = new StringBuilder();
        for (String id : ids.split(",")) {
            int i = Integer.parseInt(id);
            if (i < 4 || i > 99) break;
            expected.append(i == 99 ? '\n' : (char) (i - 4 + 32));
        }
        assertTrue(expected.length() > 0 && text.startsWith(expected.toString()), ids + " vs " + text);
    }

    @Test
    void helpOfTheNewCommands() {
        for (String c : List.of("convert", "random-checkpoint")) {
            Cli.Result r = Cli.run(c, "--help").assertOk();
            assertTrue(r.out().contains("Usage: xlstm " + c), r.out());
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
