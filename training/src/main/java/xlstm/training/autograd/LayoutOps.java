package xlstm.training.autograd;

import java.util.Arrays;
import xlstm.runtime.ops.CpuOps;
import xlstm.runtime.tensor.Tensor;

/**
 * Ops that move values without arithmetic: head layouts, transposes, concatenation, row slices and gathers. Their
 * backward moves the gradient back the same way.
 */
public final class LayoutOps {
    private LayoutOps() {}

    /** (B, S, NH·D) → (B, NH, S, D). */
    public static Var toHeads(Tape tape, Var x, int numHeads) {
        Var y = new Var(CpuOps.toHeads(x.value(), numHeads));
        tape.record(() -> {
            if (y.hasGrad()) Floats.add(x.grad(), CpuOps.fromHeads(y.gradTensor()).toFloatArray());
        });
        return y;
    }

    /** (B, NH, S, D) → (B, S, NH·D). */
    public static Var fromHeads(Tape tape, Var x) {
        Var y = new Var(CpuOps.fromHeads(x.value()));
        int nh = x.dim(1);
        tape.record(() -> {
            if (y.hasGrad()) Floats.add(x.grad(), CpuOps.toHeads(y.gradTensor(), nh).toFloatArray());
        });
        return y;
    }

    /** Gate pre-activations (B, S, NH) → (B, NH, S). */
    public static Var gatesToHeads(Tape tape, Var x) {
        int b = x.dim(0), s = x.dim(1), nh = x.dim(2);
        Var y = new Var(CpuOps.swap12(x.value().reshape(b, s, nh, 1)).reshape(b, nh, s));
        tape.record(() -> {
            if (!y.hasGrad()) return;
            Tensor back = CpuOps.swap12(y.gradTensor().reshape(b, nh, s, 1));
            Floats.add(x.grad(), back.toFloatArray());
        });
        return y;
    }

    /** Concatenation along the last axis. */
    public static Var concatLast(Tape tape, Var... parts) {
        Tensor[] values = Arrays.stream(parts).map(Var::value).toArray(Tensor[]::new);
        Var y = new Var(CpuOps.concatLast(values));
        tape.record(() -> {
            if (!y.hasGrad()) return;
            float[] dy = y.grad();
            int total = Floats.cols(y), rows = Floats.rows(y), off = 0;
            for (Var p : parts) {
                int n = Floats.cols(p);
                float[] dp = p.grad();
                for (int r = 0; r < rows; r++) for (int c = 0; c < n; c++) dp[r * n + c] += dy[r * total + off + c];
                off += n;
            }
        });
        return y;
    }

    /** Rows [from, to) along the first axis (a view of the value, e.g. half of a fused weight matrix). */
    public static Var rows(Tape tape, Var x, long from, long to) {
        Var y = new Var(x.value().narrow0(from, to));
        int rowSize = Math.toIntExact(x.value().numel() / Math.max(1, x.value().dim(0)));
        int start = Math.toIntExact(from * rowSize);
        tape.record(() -> {
            if (!y.hasGrad()) return;
            float[] dy = y.grad(), dx = x.grad();
            for (int i = 0; i < dy.length; i++) dx[start + i] += dy[i];
        });
        return y;
    }

    /** {@code y[i] = x[index[i]]} with y of {@code shape}; the backward scatters (adds) back. */
    public static Var gather(Tape tape, Var x, int[] index, long... shape) {
        float[] xv = Floats.of(x.value());
        float[] yv = new float[index.length];
        for (int i = 0; i < index.length; i++) yv[i] = xv[index[i]];
        Var y = new Var(Tensor.of(yv, shape));
        tape.record(() -> {
            if (!y.hasGrad()) return;
            float[] dy = y.grad(), dx = x.grad();
            for (int i = 0; i < index.length; i++) dx[index[i]] += dy[i];
        });
        return y;
    }
}
