package xlstm.training.autograd;

import xlstm.backends.cpu.CpuParallel;
import xlstm.runtime.ops.CpuOps;
import xlstm.runtime.tensor.Tensor;

/**
 * Dense and head-wise linear layers. The forward is {@link CpuOps}'s; the backward of the dense layer reuses the
 * same vectorised matrix product on transposed operands: {@code dX = dY·W}, {@code dW += dYᵀ·X}, {@code db += Σ dY}.
 */
public final class LinearOps {
    private LinearOps() {}

    /** {@code x (..., in) · wᵀ + b}, w (out, in), b (out) or null. */
    public static Var linear(Tape tape, Var x, Var w, Var b) {
        Var y = new Var(CpuOps.linear(x.value(), w.value(), b == null ? null : b.value()));
        tape.record(() -> {
            if (!y.hasGrad()) return;
            int rows = Floats.rows(x), in = w.dim(1), out = w.dim(0);
            float[] dy = y.grad();
            // dX = dY (rows, out) · W (out, in): linear with the weight Wᵀ (in, out)
            Tensor wt = Floats.transposed(Floats.of(w.value()), out, in);
            Floats.add(x.grad(), CpuOps.linear(Tensor.of(dy, rows, out), wt, null).toFloatArray());
            // dW = dYᵀ (out, rows) · X (rows, in): linear of dYᵀ with the weight Xᵀ (in, rows)
            Tensor dyt = Floats.transposed(dy, rows, out);
            Tensor xt = Floats.transposed(Floats.of(x.value()), rows, in);
            Floats.add(w.grad(), CpuOps.linear(dyt, xt, null).toFloatArray());
            if (b != null) {
                float[] db = b.grad();
                for (int r = 0; r < rows; r++) for (int o = 0; o < out; o++) db[o] += dy[r * out + o];
            }
        });
        return y;
    }

    /** {@code LinearHeadwiseExpand}: x (..., NH·din), w (NH, dout, din), b (NH·dout) or null. */
    public static Var headwise(Tape tape, Var x, Var w, Var b) {
        Var y = new Var(CpuOps.headwiseLinear(x.value(), w.value(), b == null ? null : b.value()));
        tape.record(() -> {
            if (!y.hasGrad()) return;
            int nh = w.dim(0), dout = w.dim(1), din = w.dim(2);
            int rows = Floats.rows(x), in = nh * din, out = nh * dout;
            float[] dy = y.grad(), xv = Floats.of(x.value()), wv = Floats.of(w.value()), dx = x.grad();
            CpuParallel.forEach(rows, Math.max(1, 4096 / Math.max(1, in * dout)), r -> {
                for (int h = 0; h < nh; h++) {
                    for (int o = 0; o < dout; o++) {
                        float g = dy[r * out + h * dout + o];
                        int wo = (h * dout + o) * din, xo = r * in + h * din;
                        for (int d = 0; d < din; d++) dx[xo + d] += g * wv[wo + d];
                    }
                }
            });
            float[] dw = w.grad();
            CpuParallel.forEach(nh * dout, o2 -> {
                int h = o2 / dout, o = o2 % dout;
                int wo = o2 * din;
                for (int r = 0; r < rows; r++) {
                    float g = dy[r * out + h * dout + o];
                    int xo = r * in + h * din;
                    for (int d = 0; d < din; d++) dw[wo + d] += g * xv[xo + d];
                }
            });
            if (b != null) {
                float[] db = b.grad();
                for (int r = 0; r < rows; r++) for (int o = 0; o < out; o++) db[o] += dy[r * out + o];
            }
        });
        return y;
    }
}
