package xlstm.runtime.generation;

import java.util.Arrays;
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
    private long[] keys = new long[0];

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

    private int draw(float[] l, int off, int v) {
        double invT = 1.0 / params.temperature();
        // candidates sorted by logit, descending: (flipped float bits << 32) | index in a long, sorted ascending
        if (keys.length != v) keys = new long[v];
        for (int i = 0; i < v; i++) {
            float x = l[off + i];
            if (Float.isNaN(x)) x = Float.NEGATIVE_INFINITY;
            int bits = Float.floatToIntBits(x);
            int ordered = bits >= 0 ? bits : bits ^ 0x7fffffff; // monotone in x
            keys[i] = ((long) ~ordered << 32) | i;              // ~ for descending
        }
        Arrays.sort(keys);
        int k = params.topK() > 0 ? Math.min(params.topK(), v) : v;
        double max = l[off + (int) keys[0]];
        double[] prob = new double[k];
        double sum = 0;
        for (int j = 0; j < k; j++) {
            double p = Math.exp((l[off + (int) keys[j]] - max) * invT);
            prob[j] = p;
            sum += p;
        }
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
