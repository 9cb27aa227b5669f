package xlstm.training.autograd;

import xlstm.backends.cpu.CpuParallel;
import xlstm.runtime.ops.CpuOps;

/**
 * Layer norm (per group of features: the multi-head / group norm; one group: LayerNorm) and RMSNorm, each with
 * optional weight and bias. The forward is {@link CpuOps}'s; the backward recomputes the row statistics in double.
 */
public final class NormOps {
    private NormOps() {}

    /**
     * Rows of {@code groups·G} features, each group normalised by its mean and biased variance, then scaled by
     * {@code w} ({@code 1 + w} with {@code offsetWeight}) and shifted by {@code b}; w, b may be null.
     */
    public static Var groupNorm(Tape tape, Var x, int groups, Var w, Var b, float eps, boolean offsetWeight) {
        Var y = new Var(CpuOps.multiHeadLayerNorm(x.value(), groups, w == null ? null : w.value(),
                b == null ? null : b.value(), eps, offsetWeight));
        tape.record(() -> {
            if (!y.hasGrad()) return;
            int n = Floats.cols(x), rows = Floats.rows(x), gs = n / groups;
            float[] xv = Floats.of(x.value()), dy = y.grad(), dx = x.grad();
            float[] wv = w == null ? null : Floats.of(w.value());
            double[] xhat = new double[xv.length];
            CpuParallel.forEach(rows * groups, Math.max(1, 2048 / Math.max(1, gs)), rg -> {
                int o = rg * gs, f0 = (rg % groups) * gs;
                double mean = 0;
                for (int i = 0; i < gs; i++) mean += xv[o + i];
                mean /= gs;
                double var = 0;
                for (int i = 0; i < gs; i++) var += (xv[o + i] - mean) * (xv[o + i] - mean);
                double rstd = 1.0 / Math.sqrt(var / gs + eps);
                double sumG = 0, sumGx = 0;
                for (int i = 0; i < gs; i++) {
                    xhat[o + i] = (xv[o + i] - mean) * rstd;
                    double g = dy[o + i] * scale(wv, f0 + i, offsetWeight);
                    sumG += g;
                    sumGx += g * xhat[o + i];
                }
                for (int i = 0; i < gs; i++) {
                    double g = dy[o + i] * scale(wv, f0 + i, offsetWeight);
                    dx[o + i] += (float) (rstd * (g - sumG / gs - xhat[o + i] * sumGx / gs));
                }
            });
            affineGrads(w, b, dy, xhat, rows, n);
        });
        return y;
    }

    /** {@code x·rsqrt(mean(x²) + eps)·w + b} over the last axis; w, b may be null. */
    public static Var rmsNorm(Tape tape, Var x, Var w, Var b, float eps) {
        Var y = new Var(CpuOps.rmsNorm(x.value(), w == null ? null : w.value(), b == null ? null : b.value(), eps));
        tape.record(() -> {
            if (!y.hasGrad()) return;
            int n = Floats.cols(x), rows = Floats.rows(x);
            float[] xv = Floats.of(x.value()), dy = y.grad(), dx = x.grad();
            float[] wv = w == null ? null : Floats.of(w.value());
            double[] xhat = new double[xv.length];
            CpuParallel.forEach(rows, Math.max(1, 2048 / Math.max(1, n)), r -> {
                int o = r * n;
                double ss = 0;
                for (int i = 0; i < n; i++) ss += (double) xv[o + i] * xv[o + i];
                double rr = 1.0 / Math.sqrt(ss / n + eps);
                double dot = 0;
                for (int i = 0; i < n; i++) {
                    xhat[o + i] = xv[o + i] * rr;
                    dot += dy[o + i] * scale(wv, i, false) * xv[o + i];
                }
                for (int i = 0; i < n; i++) {
                    double g = dy[o + i] * scale(wv, i, false);
                    dx[o + i] += (float) (rr * g - xv[o + i] * rr * rr * rr * dot / n);
                }
            });
            affineGrads(w, b, dy, xhat, rows, n);
        });
        return y;
    }

    private static double scale(float[] w, int i, boolean offset) {
        if (w == null) return 1.0;
        return offset ? 1.0 + w[i] : w[i];
    }

    /** dw += Σ_rows dy·x̂ (the offset form has the same derivative), db += Σ_rows dy. */
    private static void affineGrads(Var w, Var b, float[] dy, double[] xhat, int rows, int n) {
        if (w != null) {
            float[] dw = w.grad();
            CpuParallel.forEach(n, Math.max(1, 64), i -> {
                double s = 0;
                for (int r = 0; r < rows; r++) s += dy[r * n + i] * xhat[r * n + i];
                dw[i] += (float) s;
            });
        }
        if (b != null) {
            float[] db = b.grad();
            for (int i = 0; i < n; i++) {
                double s = 0;
                for (int r = 0; r < rows; r++) s += dy[r * n + i];
                db[i] += (float) s;
            }
        }
    }
}
