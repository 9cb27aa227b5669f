package xlstm.training.baseline;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import xlstm.runtime.UserError;
import xlstm.runtime.tensor.Tensor;
import xlstm.training.Batch;
import xlstm.training.Parameter;
import xlstm.training.Trainable;
import xlstm.training.Rng;

/**
 * The smallest real language model: {@code logits(next | prev) = W[prev]}, one row of a (V, V) table per previous
 * token, with the exact gradient of the mean cross-entropy ({@code softmax − onehot}, divided by the counted
 * positions). A baseline for text (what a bigram can learn) and a quick model to check data, loop, checkpoints
 * and tools without the xLSTM backward passes.
 */
public final class BigramModel implements Trainable {
    public static final String WEIGHT = "bigram.weight";
    private final int vocab;
    private final Parameter table;

    private BigramModel(int vocab, Tensor weight) {
        this.vocab = vocab;
        this.table = new Parameter(WEIGHT, weight);
    }

    /** Small random logits N(0, 0.02²), seeded. */
    public static Map<String, Tensor> initialWeights(int vocab, long seed) {
        Rng r = Rng.derived(seed, WEIGHT);
        float[] w = new float[vocab * vocab];
        for (int i = 0; i < w.length; i++) w[i] = (float) (0.02 * r.nextGaussian());
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put(WEIGHT, Tensor.of(w, vocab, vocab));
        return out;
    }

    /** The model over {@code weights} (used in place: training updates these tensors). */
    public static BigramModel of(int vocab, Map<String, Tensor> weights) {
        Tensor w = weights.get(WEIGHT);
        if (w == null || weights.size() != 1) {
            throw new UserError("bigram weights: expected the one tensor '" + WEIGHT + "', got " + weights.keySet());
        }
        if (!java.util.Arrays.equals(w.shape(), new long[] {vocab, vocab})) {
            throw new UserError("bigram weights: '" + WEIGHT + "' has shape " + java.util.Arrays.toString(w.shape())
                    + ", expected [" + vocab + ", " + vocab + "]");
        }
        return new BigramModel(vocab, w.toF32());
    }

    @Override public List<Parameter> parameters() { return List.of(table); }

    @Override
    public double loss(Batch batch, boolean backward) {
        long counted = batch.counted();
        if (counted == 0) return 0;
        double total = 0;
        float[] row = new float[vocab];
        Tensor w = table.value(), g = table.grad();
        for (int b = 0; b < batch.batchSize(); b++) {
            for (int s = 0; s < batch.length(); s++) {
                int target = batch.targets()[b][s];
                if (target == Batch.IGNORE) continue;
                int prev = check(batch.inputs()[b][s]);
                check(target);
                long base = (long) prev * vocab;
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < vocab; k++) max = Math.max(max, row[k] = w.getFloat(base + k));
                double sum = 0;
                for (int k = 0; k < vocab; k++) sum += Math.exp(row[k] - max);
                total += Math.log(sum) + max - row[target];
                if (backward) {
                    for (int k = 0; k < vocab; k++) {
                        double p = Math.exp(row[k] - max) / sum - (k == target ? 1 : 0);
                        g.setFloat(base + k, (float) (g.getFloat(base + k) + p / counted));
                    }
                }
            }
        }
        return total / counted;
    }

    @Override
    public Tensor logits(int[][] inputs) {
        int bs = inputs.length, s = inputs[0].length;
        Tensor out = Tensor.zeros(bs, s, vocab);
        for (int b = 0; b < bs; b++) {
            for (int t = 0; t < s; t++) {
                long src = (long) check(inputs[b][t]) * vocab, dst = ((long) b * s + t) * vocab;
                for (int k = 0; k < vocab; k++) out.setFloat(dst + k, table.value().getFloat(src + k));
            }
        }
        return out;
    }

    private int check(int token) {
        if (token < 0 || token >= vocab) throw new IllegalArgumentException("token " + token + " outside [0, " + vocab + ")");
        return token;
    }
}
