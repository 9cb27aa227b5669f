package xlstm.training.data;

import xlstm.runtime.tensor.Tensor;
import xlstm.training.Batch;
import xlstm.training.Trainable;

/**
 * Accuracy at the counted positions (argmax of the logits against the target) and the xLSTM paper's scaled
 * accuracy {@code (acc − chance) / (1 − chance)}: 0 for guessing, 1 for perfect (negative when worse than chance).
 */
public final class ScaledAccuracy {
    private ScaledAccuracy() {}

    public static double of(double accuracy, double chance) {
        if (!(chance >= 0 && chance < 1)) throw new IllegalArgumentException("chance must be in [0, 1): " + chance);
        return (accuracy - chance) / (1 - chance);
    }

    /** [correct, counted] of {@code model}'s argmax predictions over the batches' counted positions. */
    public static long[] count(Trainable model, Iterable<Batch> batches) {
        long correct = 0, counted = 0;
        for (Batch batch : batches) {
            Tensor logits = model.logits(batch.inputs());
            int v = Math.toIntExact(logits.dim(2)), s = batch.length();
            for (int b = 0; b < batch.batchSize(); b++) {
                for (int t = 0; t < s; t++) {
                    int target = batch.targets()[b][t];
                    if (target == Batch.IGNORE) continue;
                    long base = ((long) b * s + t) * v;
                    int best = 0;
                    for (int k = 1; k < v; k++) if (logits.getFloat(base + k) > logits.getFloat(base + best)) best = k;
                    if (best == target) correct++;
                    counted++;
                }
            }
        }
        return new long[] {correct, counted};
    }

    /** The plain accuracy of {@link #count}. */
    public static double accuracy(Trainable model, Iterable<Batch> batches) {
        long[] c = count(model, batches);
        return c[1] == 0 ? Double.NaN : (double) c[0] / c[1];
    }
}
