package xlstm.training.autograd;

import xlstm.backends.cpu.CpuParallel;

/**
 * Mean cross-entropy of logits (B, S, V) against target ids, over the positions whose target is not
 * {@link #IGNORE} (PyTorch's {@code cross_entropy(..., ignore_index=-100)} with mean reduction). Log-sum-exp in
 * double.
 */
public final class CrossEntropy {
    public static final int IGNORE = xlstm.training.Batch.IGNORE;

    private CrossEntropy() {}

    /** The loss: a one-element node for the tape, and its value in double. */
    public record Loss(Var node, double value) {}

    /** The mean loss; the node's backward writes {@code (softmax − onehot)·seed / counted} into the logits. */
    public static Loss mean(Tape tape, Var logits, int[][] targets) {
        int v = Floats.cols(logits), rows = Floats.rows(logits), s = targets[0].length;
        if (rows != targets.length * s) throw new IllegalArgumentException("targets do not match " + logits);
        float[] lv = Floats.of(logits.value());
        double[] lse = new double[rows];
        double[] perRow = new double[rows];
        CpuParallel.forEach(rows, Math.max(1, 8192 / Math.max(1, v)), r -> {
            int t = targets[r / s][r % s];
            if (t == IGNORE) return;
            if (t < 0 || t >= v) throw new IllegalArgumentException("target id " + t + " outside [0, " + v + ")");
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < v; c++) max = Math.max(max, lv[r * v + c]);
            double sum = 0;
            for (int c = 0; c < v; c++) sum += Math.exp(lv[r * v + c] - max);
            lse[r] = max + Math.log(sum);
            perRow[r] = lse[r] - lv[r * v + t];
        });
        long counted = 0;
        double total = 0;
        for (int r = 0; r < rows; r++) {
            if (targets[r / s][r % s] != IGNORE) {
                counted++;
                total += perRow[r];
            }
        }
        // PyTorch returns NaN for a batch without counted positions (0/0)
        double loss = total / counted;
        Var out = new Var(xlstm.runtime.tensor.Tensor.of(new float[] {(float) loss}, 1));
        final long n = counted;
        tape.record(() -> {
            if (!out.hasGrad() || n == 0) return;
            double seed = out.grad()[0] / (double) n;
            float[] dl = logits.grad();
            CpuParallel.forEach(rows, Math.max(1, 8192 / Math.max(1, v)), r -> {
                int t = targets[r / s][r % s];
                if (t == IGNORE) return;
                for (int c = 0; c < v; c++) {
                    double p = Math.exp(lv[r * v + c] - lse[r]);
                    dl[r * v + c] += (float) (seed * (p - (c == t ? 1.0 : 0.0)));
                }
            });
        });
        return new Loss(out, loss);
    }
}
