package xlstm.training.autograd;

import xlstm.backends.cpu.CpuParallel;
import xlstm.runtime.ops.CpuOps;

/**
 * Causal depthwise convolution {@code y[b,t,f] = bias[f] + Σ_j w[f,0,j]·x[b, t−KS+1+j, f]} (x = 0 before the start),
 * x (B, S, F), w (F, 1, KS), bias (F) or null. Forward by {@link CpuOps#conv1d}.
 */
public final class ConvOps {
    private ConvOps() {}

    public static Var causalConv1d(Tape tape, Var x, Var w, Var bias) {
        Var y = new Var(CpuOps.conv1d(x.value(), w.value(), bias == null ? null : bias.value()));
        tape.record(() -> {
            if (!y.hasGrad()) return;
            int bsz = x.dim(0), s = x.dim(1), f = x.dim(2), ks = w.dim(2);
            float[] xv = Floats.of(x.value()), wv = Floats.of(w.value()), dy = y.grad(), dx = x.grad();
            // dx[b,u,f] = Σ_j w[f,j]·dy[b, u+KS−1−j, f]
            CpuParallel.forEach(bsz * s, Math.max(1, 1024 / Math.max(1, f * ks)), bu -> {
                int bi = bu / s, u = bu % s;
                for (int j = 0; j < ks; j++) {
                    int t = u + ks - 1 - j;
                    if (t >= s) continue;
                    int yo = (bi * s + t) * f, xo = bu * f;
                    for (int c = 0; c < f; c++) dx[xo + c] += wv[c * ks + j] * dy[yo + c];
                }
            });
            float[] dw = w.grad();
            CpuParallel.forEach(f, Math.max(1, 8), c -> {
                for (int j = 0; j < ks; j++) {
                    double acc = 0;
                    for (int bi = 0; bi < bsz; bi++) {
                        for (int t = Math.max(0, ks - 1 - j); t < s; t++) {
                            acc += dy[(bi * s + t) * f + c] * xv[(bi * s + t - ks + 1 + j) * f + c];
                        }
                    }
                    dw[c * ks + j] += (float) acc;
                }
            });
            if (bias != null) {
                float[] db = bias.grad();
                for (int r = 0; r < bsz * s; r++) for (int c = 0; c < f; c++) db[c] += dy[r * f + c];
            }
        });
        return y;
    }
}
