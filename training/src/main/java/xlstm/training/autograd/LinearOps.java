package xlstm.training.autograd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import xlstm.backends.cpu.CpuParallel;
import xlstm.runtime.ops.CpuOps;

/**
 * Dense and head-wise linear layers. The forward is {@link CpuOps}'s; the backward is {@code dX += dY·W},
 * {@code dW += dYᵀ·X}, {@code db += Σ dY}, as row-wise multiply-adds parallel over rows (dX) and outputs (dW).
 */
public final class LinearOps {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;

    private LinearOps() {}

    /** {@code x (..., in) · wᵀ + b}, w (out, in), b (out) or null. */
    public static Var linear(Tape tape, Var x, Var w, Var b) {
        Var y = new Var(CpuOps.linear(x.value(), w.value(), b == null ? null : b.value()));
        tape.record(() -> {
            if (!y.hasGrad()) return;
            int rows = Floats.rows(x), in = w.dim(1), out = w.dim(0);
            float[] dy = y.grad(), xv = Floats.of(x.value()), wv = Floats.of(w.value()), dx = x.grad(), dw = w.grad();
            // dX[r,:] += Σ_o dY[r,o]·W[o,:] and dW[o,:] += Σ_r dY[r,o]·X[r,:]: contiguous axpy rows, no transposes
            CpuParallel.forEach(rows, Math.max(1, 8192 / Math.max(1, in * out)), r -> {
                for (int o = 0; o < out; o++) axpy(dy[r * out + o], wv, o * in, dx, r * in, in);
            });
            CpuParallel.forEach(out, Math.max(1, 8192 / Math.max(1, in * rows)), o -> {
                for (int r = 0; r < rows; r++) axpy(dy[r * out + o], xv, r * in, dw, o * in, in);
            });
            if (b != null) {
                float[] db = b.grad();
                for (int r = 0; r < rows; r++) for (int o = 0; o < out; o++) db[o] += dy[r * out + o];
            }
        });
        return y;
    }

    /** {@code y[yo + i] += a·x[xo + i]} for i < n. */
    private static void axpy(float a, float[] x, int xo, float[] y, int yo, int n) {
        if (a == 0f) return;
        int i = 0;
        FloatVector va = FloatVector.broadcast(SPECIES, a);
        for (int bound = SPECIES.loopBound(n); i < bound; i += SPECIES.length()) {
            FloatVector.fromArray(SPECIES, x, xo + i).fma(va, FloatVector.fromArray(SPECIES, y, yo + i))
                    .intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] += a * x[xo + i];
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
