package xlstm.runtime.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;
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

    /** top-k (with or without top-p) keeps exactly the draws of sorting every id first, the sampler's old way. */
    @Test
    void topKDrawsWhatSortingEveryIdDraws() {
        Random r = new Random(3);
        for (int trial = 0; trial < 40; trial++) {
            int v = 1 + r.nextInt(trial < 20 ? 50 : 5000);
            float[] l = logits(r, v, trial % 3 == 0);
            int k = 1 + r.nextInt(trial % 4 < 2 ? Math.min(60, v) : Math.max(1, v - 1)); // few: ids above the k-th sorted
            double p = trial % 2 == 0 ? 1 : 0.5 + 0.49 * r.nextDouble();
            SamplingParams sp = new SamplingParams(0.3 + r.nextDouble(), k, p, 1, trial);
            Sampler s = new Sampler(sp, v, v);
            SortAllReference ref = new SortAllReference(sp);
            for (int d = 0; d < 50; d++) {
                assertEquals(ref.draw(l, v), s.next(l.clone(), 0), "trial " + trial + " v " + v + " k " + k + " p " + p);
            }
        }
    }

    /**
     * A device's top-k candidates (here the first k of sorting every id, then shuffled, as the device leaves them in
     * no order) give the draws of the whole row, with top-p on top or not, ties, NaN and infinite logits included.
     */
    @Test
    void topKCandidatesDrawWhatTheWholeRowDraws() {
        Random r = new Random(13);
        for (int trial = 0; trial < 40; trial++) {
            int v = 2 + r.nextInt(trial < 20 ? 60 : 6000);
            float[] l = logits(r, v, trial % 3 == 0);
            if (trial % 5 == 1) l[r.nextInt(v)] = Float.NaN;
            if (trial % 7 == 2) l[r.nextInt(v)] = Float.NEGATIVE_INFINITY;
            if (trial == 3) l[r.nextInt(v)] = Float.POSITIVE_INFINITY;
            int k = 1 + r.nextInt(Math.min(v - 1, trial % 2 == 0 ? 50 : 256));
            SamplingParams sp = new SamplingParams(0.3 + r.nextDouble(), k, trial % 4 < 2 ? 1 : 0.6, 1, trial);
            Sampler whole = new Sampler(sp, v, v), top = new Sampler(sp, v, v);
            float[] vals = new float[k];
            int[] ids = new int[k];
            for (int d = 0; d < 30; d++) {
                topK(l, k, r, vals, ids);
                assertEquals(whole.next(l.clone(), 0), top.nextFromTop(vals, ids, 0, k), "trial " + trial + " v " + v + " k " + k);
            }
        }
        Sampler s = new Sampler(new SamplingParams(1, 5, 1, 1, 1), 100, 100);
        assertThrows(IllegalArgumentException.class, () -> s.nextFromTop(new float[4], new int[4], 0, 4), "k is not the params'");
        Sampler pen = new Sampler(new SamplingParams(1, 5, 1, 1.2, 1), 100, 100);
        assertThrows(IllegalArgumentException.class, () -> pen.nextFromTop(new float[5], new int[5], 0, 5), "a penalty needs all logits");
    }

    /** The k first ids of the sampler's order (logit descending, NaN as -inf, then id), in a random order. */
    private static void topK(float[] l, int k, Random r, float[] vals, int[] ids) {
        Integer[] order = new Integer[l.length];
        for (int i = 0; i < l.length; i++) order[i] = i;
        java.util.Arrays.sort(order, (a, b) -> {
            float x = Float.isNaN(l[a]) ? Float.NEGATIVE_INFINITY : l[a], y = Float.isNaN(l[b]) ? Float.NEGATIVE_INFINITY : l[b];
            int c = Float.compare(y, x);
            return c != 0 ? c : Integer.compare(a, b);
        });
        List<Integer> top = new java.util.ArrayList<>(Arrays.asList(order).subList(0, k));
        java.util.Collections.shuffle(top, r);
        for (int j = 0; j < k; j++) {
            ids[j] = top.get(j);
            vals[j] = l[ids[j]];
        }
    }

    /**
     * top-p alone sorts only the ids above a weight floor: the same draws as sorting every id, including when the
     * first floors (1e-3, 1e-6 of the top weight) hold too little mass and a lower one is needed.
     */
    @Test
    void topPDrawsWhatSortingEveryIdDraws() {
        Random r = new Random(5);
        for (int trial = 0; trial < 30; trial++) {
            int v = 2 + r.nextInt(20000);
            float[] l = logits(r, v, trial % 4 == 0);
            SamplingParams sp = new SamplingParams(0.5 + r.nextDouble(), 0, 0.05 + 0.94 * r.nextDouble(), 1, trial);
            assertSameDraws(sp, l, v, 40);
        }
        // one id of weight 1 and 20000 of 1e-5 (a total of 1.2): p = 0.9 needs the 1e-6 floor
        float[] flat = new float[20001];
        Arrays.fill(flat, (float) Math.log(1e-5));
        flat[7] = 0;
        assertSameDraws(new SamplingParams(1, 0, 0.9, 1, 11), flat, flat.length, 200);
        // ... and 20000 of 1e-8 (a total of 1.0002): p = 0.99995 needs the floor of 0, every id sorted
        Arrays.fill(flat, (float) Math.log(1e-8));
        flat[7] = 0;
        assertSameDraws(new SamplingParams(1, 0, 0.99995, 1, 12), flat, flat.length, 200);
    }

    @Test
    void noLimitFollowsTheSoftmaxOverALargeVocabulary() {
        int v = 50304, draws = 5000;
        float[] l = new float[v];
        Arrays.fill(l, -30f);
        double[] want = {0.5, 0.25, 0.125, 0.0625};
        int[] ids = {49999, 3, 20000, 50303};
        for (int j = 0; j < ids.length; j++) l[ids[j]] = (float) Math.log(want[j]);
        l[100] = Float.NaN; // never picked
        Sampler s = new Sampler(SamplingParams.sample(1, 9), v, v);
        int[] counts = new int[v];
        for (int d = 0; d < draws; d++) counts[s.next(l.clone(), 0)]++;
        for (int j = 0; j < ids.length; j++) { // the other ids share 50299 e-30: none
            double share = counts[ids[j]] / (double) draws, expect = want[j] / 0.9375;
            assertEquals(expect, share, 4 * Math.sqrt(expect * (1 - expect) / draws), "id " + ids[j]);
        }
        assertEquals(0, counts[100], "a NaN logit weighs nothing");
    }

    @Test
    void degenerateLogits() {
        float[] none = {Float.NEGATIVE_INFINITY, Float.NaN, Float.NEGATIVE_INFINITY};
        assertEquals(0, new Sampler(SamplingParams.sample(1, 1), 3, 3).next(none.clone(), 0), "nothing to weigh: the arg-max");
        float[] inf = {0f, Float.POSITIVE_INFINITY, 3f};
        for (SamplingParams sp : List.of(SamplingParams.sample(1, 1), new SamplingParams(1, 2, 1, 1, 1),
                new SamplingParams(1, 0, 0.5, 1, 1))) {
            assertEquals(1, new Sampler(sp, 3, 3).next(inf.clone(), 0), "+inf wins: " + sp);
        }
    }

    @Test
    void everyDrawTakesOneRandomNumber() {
        // what a device that draws with nextUniform's numbers relies on: one number a token, degenerate rows included
        float[] none = {Float.NEGATIVE_INFINITY, Float.NaN, Float.NEGATIVE_INFINITY, Float.NaN};
        float[] inf = {0f, Float.POSITIVE_INFINITY, 3f, 1f};
        float[] plain = {0.5f, -1f, 2f, 0.25f};
        for (SamplingParams sp : List.of(SamplingParams.sample(0.7, 5), new SamplingParams(1, 2, 1, 1, 5),
                new SamplingParams(1, 0, 0.5, 1, 5), new SamplingParams(1, 3, 0.8, 1, 5))) {
            Sampler drawing = new Sampler(sp, 4, 4), taking = new Sampler(sp, 4, 4);
            for (float[] l : List.of(plain, none, inf, plain)) {
                drawing.next(l.clone(), 0);
                taking.nextUniform();
            }
            if (sp.topK() > 0) {
                float[] nan = new float[sp.topK()];
                Arrays.fill(nan, Float.NaN);
                drawing.nextFromTop(nan, java.util.stream.IntStream.range(0, sp.topK()).toArray(), 0, sp.topK());
                taking.nextUniform();
            }
            assertEquals(taking.nextUniform(), drawing.nextUniform(), "in step after the draws: " + sp);
        }
        assertThrows(IllegalStateException.class, () -> new Sampler(SamplingParams.GREEDY, 4, 4).nextUniform());
    }

    private static void assertSameDraws(SamplingParams sp, float[] l, int v, int draws) {
        Sampler s = new Sampler(sp, v, v);
        SortAllReference ref = new SortAllReference(sp);
        for (int d = 0; d < draws; d++) assertEquals(ref.draw(l, v), s.next(l.clone(), 0), "v " + v + " " + sp + " draw " + d);
    }

    /** Random logits; with ties, many share a few values. */
    private static float[] logits(Random r, int v, boolean ties) {
        float[] l = new float[v];
        for (int i = 0; i < v; i++) l[i] = ties ? r.nextInt(6) : (float) (4 * r.nextGaussian());
        return l;
    }

    /**
     * The sampler before it stopped sorting every id (test oracle): candidates sorted by logit, weights and their
     * sums in that order, the same generator.
     */
    private static final class SortAllReference {
        private final SamplingParams params;
        private final RandomGenerator rng;

        SortAllReference(SamplingParams params) {
            this.params = params;
            this.rng = RandomGeneratorFactory.of("L64X128MixRandom").create(params.seed());
        }

        int draw(float[] l, int v) {
            double invT = 1.0 / params.temperature();
            long[] keys = new long[v];
            for (int i = 0; i < v; i++) {
                float x = Float.isNaN(l[i]) ? Float.NEGATIVE_INFINITY : l[i];
                int bits = Float.floatToIntBits(x);
                keys[i] = ((long) ~(bits >= 0 ? bits : bits ^ 0x7fffffff) << 32) | i;
            }
            Arrays.sort(keys);
            int k = params.topK() > 0 ? Math.min(params.topK(), v) : v;
            double max = l[(int) keys[0]];
            double[] prob = new double[k];
            double sum = 0;
            for (int j = 0; j < k; j++) sum += prob[j] = Math.exp((l[(int) keys[j]] - max) * invT);
            int n = k;
            if (params.topP() < 1) {
                double cum = 0;
                for (int j = 0; j < k; j++) {
                    cum += prob[j] / sum;
                    if (cum >= params.topP()) {
                        n = j + 1;
                        break;
                    }
                }
                sum = 0;
                for (int j = 0; j < n; j++) sum += prob[j];
            }
            double r = rng.nextDouble() * sum;
            for (int j = 0; j < n; j++) {
                r -= prob[j];
                if (r < 0) return (int) keys[j];
            }
            return (int) keys[n - 1];
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
