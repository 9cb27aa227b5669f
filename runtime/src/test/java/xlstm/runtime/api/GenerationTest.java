package xlstm.runtime.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xlstm.runtime.UserError;
import xlstm.runtime.generation.SamplingParams;

/** The library API on a small random checkpoint with GPT-2's tokenizer: generation, sampling, sessions, batches. */
class GenerationTest {
    @TempDir static Path tmp;
    static XlstmModel lm;

    @BeforeAll
    static void load() { lm = XlstmModel.load(TinyCheckpoints.write(tmp.resolve("tiny"))); }

    @AfterAll
    static void close() { lm.close(); }

    private static GenerateOptions noEos(int n, SamplingParams p) {
        return new GenerateOptions(n, p, List.of(), false);
    }

    @Test
    void textInTextOut() {
        List<String> pieces = new ArrayList<>();
        List<Integer> ids = new ArrayList<>();
        Completion c = lm.newSession().complete("Hello, world!", noEos(12, SamplingParams.GREEDY), new StreamListener() {
            @Override public void onToken(int row, int id) { ids.add(id); }
            @Override public void onText(int row, String piece) { pieces.add(piece); }
        });
        assertEquals(12, c.tokens().length);
        assertEquals(4, c.promptTokens());
        assertEquals(Completion.StopReason.LENGTH, c.reason());
        assertEquals(String.join("", pieces), c.text());
        assertEquals(lm.tokenizer().decode(c.tokens()), c.text());
        assertEquals(Arrays.stream(c.tokens()).boxed().map(Long::intValue).toList(), ids);
        assertTrue(c.firstTokenNanos() > 0 && c.totalNanos() >= c.firstTokenNanos());
        assertTrue(c.summary().contains("first token after"), c.summary());
    }

    @Test
    void greedyMatchesTheModelsGreedyGeneration() {
        long[] prompt = lm.encodePrompt("The quick brown fox");
        Completion c = lm.newSession().complete(prompt, noEos(10, SamplingParams.GREEDY), null);
        long[] ref = lm.network().generateGreedy(new long[][] {prompt}, 10)[0];
        assertArrayEquals(ref, c.tokens());
        // temperature 0 ignores the seed
        Completion again = lm.newSession().complete(prompt, noEos(10, new SamplingParams(0, 5, 0.5, 1, 99)), null);
        assertArrayEquals(ref, again.tokens());
    }

    @Test
    void samplingIsReproducibleBySeed() {
        SamplingParams p = new SamplingParams(1.0, 0, 1.0, 1.0, 1234);
        long[] a = lm.newSession().complete("Once upon a time", noEos(16, p), null).tokens();
        long[] b = lm.newSession().complete("Once upon a time", noEos(16, p), null).tokens();
        long[] c = lm.newSession().complete("Once upon a time", noEos(16, p.withSeed(4321)), null).tokens();
        assertArrayEquals(a, b);
        assertFalse(Arrays.equals(a, c), "another seed, other tokens");
        // top-k 1 and a tiny top-p are greedy whatever the seed
        long[] greedy = lm.newSession().complete("Once upon a time", noEos(8, SamplingParams.GREEDY), null).tokens();
        assertArrayEquals(greedy, lm.newSession().complete("Once upon a time",
                noEos(8, new SamplingParams(1.5, 1, 1.0, 1.0, 5)), null).tokens());
        assertArrayEquals(greedy, lm.newSession().complete("Once upon a time",
                noEos(8, new SamplingParams(1.5, 0, 1e-9, 1.0, 6)), null).tokens());
        for (long t : a) assertTrue(t < lm.tokenizer().vocabSize(), "never an id the tokenizer does not know");
    }

    @Test
    void batchRowsEqualSingleRuns() {
        SamplingParams p = new SamplingParams(0.9, 50, 0.95, 1.1, 77);
        List<String> texts = List.of("Hello", "A much longer prompt with several words in it", "日本語 🦙");
        List<long[]> ids = texts.stream().map(lm::encodePrompt).toList();
        List<List<String>> streamed = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        List<Completion> batch = lm.generateBatch(ids, noEos(9, p), new StreamListener() {
            @Override public void onText(int row, String piece) { streamed.get(row).add(piece); }
        });
        assertEquals(3, batch.size());
        for (int r = 0; r < 3; r++) {
            Completion single = lm.newSession().complete(ids.get(r), noEos(9, p), null);
            assertArrayEquals(single.tokens(), batch.get(r).tokens(), "row " + r);
            assertEquals(single.text(), batch.get(r).text());
            assertEquals(batch.get(r).text(), String.join("", streamed.get(r)));
        }
    }

    @Test
    void oneShotGenerationEqualsASessionsFirstTurn() {
        long[] prompt = lm.encodePrompt("Once upon a time");
        for (SamplingParams p : List.of(SamplingParams.GREEDY, new SamplingParams(0.9, 50, 0.95, 1.1, 77))) {
            Completion session = lm.newSession().complete(prompt, noEos(10, p), null);
            List<String> streamed = new ArrayList<>();
            Completion once = lm.generate(prompt, noEos(10, p), new StreamListener() {
                @Override public void onText(int row, String piece) { streamed.add(piece); }
            });
            assertArrayEquals(session.tokens(), once.tokens(), p.toString());
            assertEquals(session.text(), once.text());
            assertEquals(once.text(), String.join("", streamed));
            assertEquals(session.promptTokens(), once.promptTokens());
            assertEquals(session.reason(), once.reason());
        }
        UserError e = assertThrows(UserError.class, () -> lm.generate(new long[0], noEos(3, SamplingParams.GREEDY), null));
        assertTrue(e.getMessage().contains("the prompt is empty"), e.getMessage());
    }

    @Test
    void zeroNewTokens() {
        long[] prompt = lm.encodePrompt("Hello");
        Completion c = lm.newSession().complete(prompt, noEos(0, SamplingParams.GREEDY), null);
        assertEquals(0, c.tokens().length);
        assertEquals(Completion.StopReason.LENGTH, c.reason());
        for (Completion r : lm.generateBatch(List.of(prompt, prompt), noEos(0, SamplingParams.GREEDY), null)) {
            assertEquals(0, r.tokens().length);
            assertEquals(Completion.StopReason.LENGTH, r.reason());
            assertEquals("", r.text());
        }
    }

    @Test
    void sessionKeepsTheStateBetweenTurns() {
        GenerateOptions g = noEos(6, SamplingParams.GREEDY);
        Session chat = lm.newSession();
        long[] p1 = chat.feed("First turn.");
        Completion c1 = chat.generate(g, null);
        Completion c2 = chat.complete(" Second turn", g, null);
        long[] p2 = lm.tokenizer().encode(" Second turn", false);
        assertEquals(p2.length, c2.promptTokens(), "a later turn feeds only its own tokens");
        assertEquals(p1.length + 6 + p2.length + 6, chat.tokens());
        // the same tokens fed at once from a zero state give the same continuation
        long[] all = concat(concat(p1, c1.tokens()), p2);
        Completion ref = lm.newSession().complete(all, g, null);
        assertArrayEquals(ref.tokens(), c2.tokens());
        chat.reset();
        assertTrue(chat.isEmpty());
        assertEquals(0, chat.tokens());
    }

    @Test
    void eosEndsGenerationAndStopStringsCutTheText(@TempDir Path dir) {
        long first = lm.newSession().complete("Hello", noEos(1, SamplingParams.GREEDY), null).tokens()[0];
        Path ck = TinyCheckpoints.write(dir.resolve("eos"), false, 1L << 40,
                Map.of("generation_config.json", "{\"eos_token_id\": [" + first + ", 50256]}"));
        try (XlstmModel m = XlstmModel.load(ck)) {
            Completion c = m.newSession().complete("Hello", GenerateOptions.greedy(5), null);
            assertEquals(Completion.StopReason.EOS, c.reason());
            assertEquals(0, c.tokens().length);
            Completion ignored = m.newSession().complete("Hello", noEos(5, SamplingParams.GREEDY), null);
            assertEquals(5, ignored.tokens().length);
            Completion once = m.generate(m.encodePrompt("Hello"), GenerateOptions.greedy(5), null);
            assertEquals(Completion.StopReason.EOS, once.reason());
            assertEquals(0, once.tokens().length);
            // in a batch the row that ends at once leaves the other going, as a generation of its own would
            long[] other = m.encodePrompt("A different start");
            List<Completion> both = m.generateBatch(List.of(m.encodePrompt("Hello"), other), GenerateOptions.greedy(5), null);
            assertEquals(Completion.StopReason.EOS, both.get(0).reason());
            assertEquals(0, both.get(0).tokens().length);
            Completion alone = m.generate(other, GenerateOptions.greedy(5), null);
            assertArrayEquals(alone.tokens(), both.get(1).tokens());
            assertEquals(alone.reason(), both.get(1).reason());
        }
        Completion full = lm.newSession().complete("Hello", noEos(12, SamplingParams.GREEDY), null);
        String stop = full.text().substring(3, 5);
        Completion cut = lm.newSession().complete("Hello", noEos(12, SamplingParams.GREEDY).withStop(List.of(stop)), null);
        assertEquals(Completion.StopReason.STOP_STRING, cut.reason());
        assertEquals(full.text().substring(0, full.text().indexOf(stop)), cut.text());
    }

    @Test
    void bosRule(@TempDir Path dir) {
        try (XlstmModel forced = XlstmModel.load(TinyCheckpoints.write(dir.resolve("bos"), true, 1L << 40, Map.of()))) {
            assertArrayEquals(new long[] {50256, 15496, 11, 995, 0}, forced.encodePrompt("Hello, world!"));
            assertArrayEquals(new long[] {50256, 15496}, forced.encodePrompt("<|endoftext|>Hello"), "no second BOS");
            assertArrayEquals(new long[] {50256}, forced.encodePrompt(""));
        }
        assertArrayEquals(new long[] {15496, 11, 995, 0}, lm.encodePrompt("Hello, world!"));
    }

    @Test
    void customSamplingThroughTheSession() {
        Session s = lm.newSession();
        s.feed("Hello");
        float[] logits = s.logits();
        assertEquals(lm.vocabSize(), logits.length);
        int tok = s.sample(SamplingParams.GREEDY);
        s.accept(tok);
        assertEquals(2, s.tokens());
        assertThrows(UserError.class, () -> lm.newSession().sample(SamplingParams.GREEDY));
    }

    @Test
    void badInput() {
        Session s = lm.newSession();
        assertTrue(assertThrows(UserError.class, () -> s.feed(new long[] {50304})).getMessage().contains("50304"));
        assertThrows(UserError.class, () -> new SamplingParams(-1, 0, 1, 1, 0));
        assertThrows(UserError.class, () -> new SamplingParams(1, 0, 0, 1, 0));
        assertThrows(UserError.class, () -> new SamplingParams(1, -1, 1, 1, 0));
        assertThrows(UserError.class, () -> new SamplingParams(1, 0, 1, 0, 0));
        assertThrows(UserError.class, () -> s.feed("bad \uD800 surrogate"));
        XlstmModel limited = XlstmModel.load(lm.checkpoint().dir(), LoadOptions.defaults().withMaxPromptTokens(3));
        UserError e = assertThrows(UserError.class, () -> limited.newSession().feed("one two three four"));
        assertTrue(e.getMessage().contains("more than the limit of 3"), e.getMessage());
        limited.close();
        assertNotEquals(0, lm.loadNanos());
    }

    static long[] concat(long[] a, long[] b) {
        long[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
