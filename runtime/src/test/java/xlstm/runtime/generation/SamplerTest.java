package xlstm.runtime.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SamplerTest {
    @Test
    void greedyRepetitionPenaltyAndMask() {
        float[] l = {1f, 3f, 2.5f, -1f, 9f};
        assertEquals(1, new Sampler(SamplingParams.GREEDY, 5, 4).next(l.clone(), 0), "id 4 is masked");
        Sampler s = new Sampler(new SamplingParams(0, 0, 1, 2.0, 0), 5, 4);
        s.observe(1);
        assertEquals(2, s.next(l.clone(), 0), "3/2 = 1.5 < 2.5");
        float[] neg = {-1f, -0.6f, -0.5f};
        Sampler n = new Sampler(new SamplingParams(0, 0, 1, 2.0, 0), 3, 3);
        n.observe(2);
        assertEquals(1, n.next(neg, 0), "a negative logit is multiplied: -0.5*2 = -1 < -0.6");
    }

    @Test
    void distributionFollowsTheTemperatureAndLimits() {
        float[] l = {0f, (float) Math.log(3), -20f};
        Sampler s = new Sampler(new SamplingParams(1, 0, 1, 1, 42), 3, 3);
        int[] counts = new int[3];
        for (int i = 0; i < 20000; i++) counts[s.next(l.clone(), 0)]++;
        assertEquals(0.75, counts[1] / 20000.0, 0.02);
        Sampler k1 = new Sampler(new SamplingParams(5, 1, 1, 1, 1), 3, 3);
        Sampler p = new Sampler(new SamplingParams(1, 0, 0.7, 1, 1), 3, 3);
        for (int i = 0; i < 200; i++) {
            assertEquals(1, k1.next(l.clone(), 0));
            assertEquals(1, p.next(l.clone(), 0), "0.75 >= 0.7: only the top token");
        }
    }

    @Test
    void stopStringsHoldBackPrefixes() {
        StopStrings s = new StopStrings(List.of("\n\n", "END"));
        assertEquals("abc", s.accept("abc"));
        assertEquals("x", s.accept("xE"));
        assertEquals("", s.accept("N"));
        assertEquals("ENx", s.accept("x"));
        assertFalse(s.stopped());
        assertEquals("hi ", s.accept("hi \n"));
        assertEquals("", s.accept("\nmore"));
        assertTrue(s.stopped());
        assertEquals("\n\n", s.matched());
        assertEquals("", s.accept("after"));
    }

    @Test
    void bosRule() {
        GenerationConfig g = GenerationConfig.of(0, List.of(2), 1, true);
        assertEquals(List.of(0L, 5L), box(g.applyBos(new long[] {5})));
        assertEquals(List.of(0L, 5L), box(g.applyBos(new long[] {0, 5})));
        assertEquals(List.of(5L), box(GenerationConfig.of(0, List.of(2), 1, false).applyBos(new long[] {5})));
        assertTrue(g.isEos(2));
        assertFalse(g.isEos(0));
    }

    private static List<Long> box(long[] a) { return java.util.Arrays.stream(a).boxed().toList(); }
}
