package xlstm.runtime.generation;

import java.util.Arrays;
import java.util.PriorityQueue;
import java.util.random.RandomGenerator;
import java.util.random.RandomGeneratorFactory;

/**
 * Picks tokens from logits by {@link SamplingParams}, for one sequence: it keeps the sequence's tokens (for the
 * repetition penalty) and its random generator ({@code L64X128MixRandom}, seeded with the params' seed, so runs are
 * reproducible across machines and JDKs). Ids at or above {@code allowedVocab} (embedding rows the tokenizer does
 * not know, e.g. the padding of 50277 → 50304 in xLSTM 7B) are never picked.
 */
public final class Sampler {
    private final SamplingParams params;
    private final int allowedVocab;
    private final RandomGenerator rng;
    private final boolean[] seen;
    private long[] keys = new long[0];  // candidates as key(logit, id)
    private double[] sorted = new double[0]; // the weights of keys' candidates, in their order
    private double[] byId = new double[0];   // every id's weight, by id

    public Sampler(SamplingParams params, int vocab, int allowedVocab) {
        this.params = params;
        this.allowedVocab = Math.max(1, Math.min(vocab, allowedVocab));
        this.rng = RandomGeneratorFactory.of("L64X128MixRandom").create(params.seed());
        this.seen = new boolean[vocab];
    }

    public SamplingParams params() { return params; }

    /** Records tokens of the sequence (the prompt, and every token fed) for the repetition penalty. */
    public void observe(long... ids) {
        for (long id : ids) if (id >= 0 && id < seen.length) seen[(int) id] = true;
    }

    /**
     * The next token for {@code logits} (length = vocab, read from {@code offset}); the array is modified. The
     * chosen token is recorded as seen.
     */
    public int next(float[] logits, int offset) {
        int v = allowedVocab;
        if (params.repetitionPenalty() != 1) {
            float p = (float) params.repetitionPenalty();
            for (int i = 0; i < v; i++) {
                if (seen[i]) {
                    float l = logits[offset + i];
                    logits[offset + i] = l > 0 ? l / p : l * p;
                }
            }
        }
        int tok = params.greedy() ? argmax(logits, offset, v) : draw(logits, offset, v);
        seen[tok] = true;
        return tok;
    }

    private static int argmax(float[] l, int off, int v) {
        int best = 0;
        float bv = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < v; i++) {
            float x = l[off + i];
            if (x > bv || (Float.isNaN(bv) && !Float.isNaN(x))) {
                bv = x;
                best = i;
            }
        }
        return best;
    }

    /**
     * A draw from softmax(logits / T) over the allowed ids, limited by top-k and top-p. Only what a limit keeps is
     * sorted: with no limit the draw walks the ids in order, top-k selects its k before sorting them, and top-p sorts
     * the ids above a weight floor once they hold p of the mass. (Sorting all 50k ids of the 7B vocabulary for every
     * token took 0.8 to 2.4 ms, a third to two thirds of a decode step on the GPU.)
     */
    private int draw(float[] l, int off, int v) {
        double u = rng.nextDouble(); // one number a draw, also where it is not needed: see nextUniform
        double invT = 1.0 / params.temperature();
        int k = params.topK() > 0 ? Math.min(params.topK(), v) : v;
        boolean nucleus = params.topP() < 1;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < v; i++) {
            if (l[off + i] > max) max = l[off + i];
        }
        if (Float.isInfinite(max)) return argmax(l, off, v); // no finite logit, or a +inf one: nothing to weigh
        ensureRoom(v);
        if (k < v) {
            sortTopK(l, off, v, k);
            return drawTop(k, max, invT, u);
        }
        double total = ExpWeights.fill(l, off, v, max, invT, byId);
        if (!nucleus) return walkIds(v, total, u);
        return drawSorted(sortNucleus(l, off, v, total), u);
    }

    /**
     * The next token from the top-k candidates alone, {@code values[off + j]} and {@code ids[off + j]} for j < k in
     * any order (a device's top-k of the logits, read instead of all of them): the token {@link #next} draws from
     * the whole row, for sampling params with that top-k, no repetition penalty and a temperature. Recorded as seen.
     */
    public int nextFromTop(float[] values, int[] ids, int off, int k) {
        if (params.greedy() || params.repetitionPenalty() != 1 || k != Math.min(params.topK(), allowedVocab)
                || k >= allowedVocab) {
            throw new IllegalArgumentException("top-" + k + " candidates for " + params);
        }
        double u = rng.nextDouble();
        ensureRoom(allowedVocab);
        for (int j = 0; j < k; j++) keys[j] = key(values[off + j], ids[off + j]);
        Arrays.sort(keys, 0, k);
        float max = logitOf(keys[0]);
        int tok = Float.isInfinite(max) ? (int) keys[0] : drawTop(k, max, 1.0 / params.temperature(), u);
        seen[tok] = true;
        return tok;
    }

    /**
     * The random number in [0, 1) that the next draw of {@link #next} or {@link #nextFromTop} would use, taken from
     * the generator as that draw would take it: for a device that draws the token itself from the logits with it
     * (the same token, up to the rounding of the weights' sums). Every draw takes exactly one number, so a sampler
     * whose numbers are taken here stays in step with one that draws. Not for greedy params.
     */
    public double nextUniform() {
        if (params.greedy()) throw new IllegalStateException("greedy decoding draws no random numbers");
        return rng.nextDouble();
    }

    /** The draw from the k candidates sorted in keys, their weights to sorted, then top-p among them. */
    private int drawTop(int k, float max, double invT, double u) {
        for (int j = 0; j < k; j++) sorted[j] = weight(logitOf(keys[j]), max, invT);
        int n = k;
        if (params.topP() < 1) {
            int len = nucleusLength(k, sum(k));
            n = len > 0 ? len : k;
        }
        return drawSorted(n, u);
    }

    /** The draw with u from the first n candidates of keys, weights in sorted. */
    private int drawSorted(int n, double u) {
        double r = u * sum(n);
        for (int j = 0; j < n; j++) {
            r -= sorted[j];
            if (r < 0) return (int) keys[j];
        }
        return (int) keys[n - 1];
    }

    /**
     * Sorts the k most likely ids to the front of keys. While k is under an eighth of the ids, only the ids at or
     * above the k-th largest logit (found with a heap of k) are sorted; above, all are. (Selecting them in place by
     * quickselect was slower than sorting all 50k keys on the GPU machine's Xeon, whose sort uses AVX-512: 0.95
     * against 0.77 ms.)
     */
    private void sortTopK(float[] l, int off, int v, int k) {
        int n = 0;
        if (k * 8L > v) {
            for (int i = 0; i < v; i++) keys[n++] = key(l[off + i], i);
        } else {
            PriorityQueue<Float> top = new PriorityQueue<>(k);
            for (int i = 0; i < k; i++) top.add(finite(l[off + i]));
            float kth = top.peek();
            for (int i = k; i < v; i++) {
                float x = finite(l[off + i]);
                if (x > kth) {
                    top.poll();
                    top.add(x);
                    kth = top.peek();
                }
            }
            for (int i = 0; i < v; i++) if (finite(l[off + i]) >= kth) keys[n++] = key(l[off + i], i);
        }
        Arrays.sort(keys, 0, n); // n >= k; more only when logits tie with the k-th
    }

    private void ensureRoom(int v) {
        if (keys.length != v) {
            keys = new long[v];
            sorted = new double[v];
            byId = new double[v];
        }
    }

    /** The logit a key holds (a NaN's as -inf). */
    private static float logitOf(long key) {
        int ordered = ~(int) (key >>> 32);
        return Float.intBitsToFloat(ordered >= 0 ? ordered : ordered ^ 0x7fffffff);
    }

    /** NaN as -inf, the order of key */
    private static float finite(float x) { return Float.isNaN(x) ? Float.NEGATIVE_INFINITY : x; }

    /** The draw with u over all ids, in id order (weights in byId). */
    private int walkIds(int v, double total, double u) {
        double r = u * total;
        int last = 0;
        for (int i = 0; i < v; i++) {
            if (byId[i] > 0) last = i;
            r -= byId[i];
            if (r < 0) return i;
        }
        return last; // rounding left r at or above 0: the last id with weight
    }

    /**
     * With every id's weight in byId: moves the nucleus's ids, sorted, to the front of keys (weights in sorted) and
     * returns its length. The ids weighing at least a floor come first in sorted order, so once they hold p of the
     * total the nucleus is among them; the floor falls from 1e-3 of the largest weight (which is 1) to 0, where
     * every id is sorted and the nucleus is all of them if the sums never reach p.
     */
    private int sortNucleus(float[] l, int off, int v, double total) {
        for (double floor : FLOORS) {
            int n = 0;
            double mass = 0;
            for (int i = 0; i < v; i++) {
                if (byId[i] >= floor) {
                    keys[n++] = key(l[off + i], i);
                    mass += byId[i];
                }
            }
            if (floor > 0 && mass < params.topP() * total) continue;
            Arrays.sort(keys, 0, n);
            for (int j = 0; j < n; j++) sorted[j] = byId[(int) keys[j]];
            int len = nucleusLength(n, total);
            if (len > 0) return len;
            if (floor == 0) return n;
        }
        throw new IllegalStateException("the last floor is 0");
    }

    private static final double[] FLOORS = {1e-3, 1e-6, 1e-12, 0};

    /** The fewest of the first n sorted weights whose share of total reaches p; 0 when all n do not. */
    private int nucleusLength(int n, double total) {
        double cum = 0;
        for (int j = 0; j < n; j++) {
            cum += sorted[j] / total;
            if (cum >= params.topP()) return j + 1;
        }
        return 0;
    }

    private double sum(int n) {
        double s = 0;
        for (int j = 0; j < n; j++) s += sorted[j];
        return s;
    }

    /** exp((x - max) / T); 0 for NaN */
    private static double weight(float x, float max, double invT) {
        return Float.isNaN(x) ? 0 : Math.exp(((double) x - max) * invT);
    }

    /** Ascending keys = logits descending (NaN as -inf), then ids ascending. */
    private static long key(float x, int i) {
        int bits = Float.floatToIntBits(finite(x));
        int ordered = bits >= 0 ? bits : bits ^ 0x7fffffff; // monotone in x
        return ((long) ~ordered << 32) | i;                  // ~ for descending
    }
}
