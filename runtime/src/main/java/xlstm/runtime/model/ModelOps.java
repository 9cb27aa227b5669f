package xlstm.runtime.model;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import xlstm.backends.DType;
import xlstm.backends.cpu.CpuParallel;
import xlstm.runtime.UserError;
import xlstm.runtime.tensor.Tensor;

/** Tensor operations used by the model layers (float32 activations; weights float32 or bf16). */
final class ModelOps {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private ModelOps() {}

    static float[] floats(Tensor t) { return t == null ? null : t.toFloatArray(); }

    /** x (..., in) times w (out, in) transposed, plus b (out) when not null. */
    static Tensor linear(Tensor x, Tensor w, Tensor b) {
        int in = Math.toIntExact(w.dim(1)), out = Math.toIntExact(w.dim(0));
        if (x.dim(-1) != in) throw new IllegalArgumentException("linear: " + x + " with weight " + w);
        int rows = Math.toIntExact(x.numel() / in);
        long[] shape = x.shape();
        shape[shape.length - 1] = out;
        Tensor y = Tensor.zeros(shape);
        MemorySegment xs = x.data(), ys = y.data();
        Tensor wf = w.dtype() == DType.F32 ? w : w.toF32();
        MemorySegment ws = wf.data();
        float[] bias = floats(b);
        CpuParallel.forEach(out, 8, o -> {
            float[] wr = new float[in];
            MemorySegment.copy(ws, F, (long) o * in * 4, wr, 0, in);
            for (int r = 0; r < rows; r++) {
                long xo = (long) r * in * 4;
                float acc = 0f;
                for (int i = 0; i < in; i++) acc += xs.get(F, xo + 4L * i) * wr[i];
                if (bias != null) acc += bias[o];
                ys.setAtIndex(F, (long) r * out + o, acc);
            }
        });
        return y;
    }

    /** Layer norm over the last axis; scale {@code 1 + w} when {@code offset}, else {@code w}; w/b may be null. */
    static Tensor layerNorm(Tensor x, Tensor w, Tensor b, float eps, boolean offset) {
        int n = Math.toIntExact(x.dim(-1));
        return groupNorm(x, 1, n, w, b, eps, offset);
    }

    /** Per-head layer norm of rows (..., nh*dh): each head's dh features normalised on their own. */
    static Tensor headNorm(Tensor x, int nh, Tensor w, Tensor b, float eps, boolean offset) {
        int n = Math.toIntExact(x.dim(-1));
        return groupNorm(x, nh, n / nh, w, b, eps, offset);
    }

    private static Tensor groupNorm(Tensor x, int groups, int dh, Tensor w, Tensor b, float eps, boolean offset) {
        int n = groups * dh;
        int rows = Math.toIntExact(x.numel() / n);
        float[] xs = x.toFloatArray(), wf = floats(w), bf = floats(b);
        float[] ys = new float[xs.length];
        for (int r = 0; r < rows; r++) {
            for (int g = 0; g < groups; g++) {
                int o = r * n + g * dh;
                double mean = 0;
                for (int j = 0; j < dh; j++) mean += xs[o + j];
                mean /= dh;
                double var = 0;
                for (int j = 0; j < dh; j++) { double d = xs[o + j] - mean; var += d * d; }
                var /= dh;
                double inv = 1.0 / Math.sqrt(var + eps);
                for (int j = 0; j < dh; j++) {
                    float v = (float) ((xs[o + j] - mean) * inv);
                    int c = g * dh + j;
                    if (wf != null) v = v * (offset ? 1f + wf[c] : wf[c]);
                    if (bf != null) v += bf[c];
                    ys[o + j] = v;
                }
            }
        }
        return Tensor.of(ys, x.shape());
    }

    /** RMS norm over the last axis, float32 reduction: {@code x / sqrt(mean(x^2) + eps) * w + b}. */
    static Tensor rmsNorm(Tensor x, Tensor w, Tensor b, float eps) {
        int n = Math.toIntExact(x.dim(-1));
        int rows = Math.toIntExact(x.numel() / n);
        float[] xs = x.toFloatArray(), wf = floats(w), bf = floats(b);
        float[] ys = new float[xs.length];
        for (int r = 0; r < rows; r++) {
            double ss = 0;
            for (int j = 0; j < n; j++) ss += (double) xs[r * n + j] * xs[r * n + j];
            double inv = 1.0 / Math.sqrt(ss / n + eps);
            for (int j = 0; j < n; j++) {
                float v = (float) (xs[r * n + j] * inv);
                if (wf != null) v *= wf[j];
                if (bf != null) v += bf[j];
                ys[r * n + j] = v;
            }
        }
        return Tensor.of(ys, x.shape());
    }

    /** Depthwise causal convolution over the sequence of x (B,S,F) with w (F,1,KS) and bias (F). */
    static Tensor causalConv(Tensor x, Tensor w, Tensor b) {
        int bsz = Math.toIntExact(x.dim(0)), s = Math.toIntExact(x.dim(1)), f = Math.toIntExact(x.dim(2));
        int ks = Math.toIntExact(w.dim(-1));
        float[] xs = x.toFloatArray(), wf = floats(w), bf = floats(b);
        float[] ys = new float[xs.length];
        for (int bb = 0; bb < bsz; bb++) {
            for (int t = 0; t < s; t++) {
                for (int c = 0; c < f; c++) {
                    double acc = bf == null ? 0 : bf[c];
                    for (int j = 0; j < ks; j++) {
                        int tau = t - ks + 1 + j;
                        if (tau >= 0) acc += (double) wf[c * ks + j] * xs[(bb * s + tau) * f + c];
                    }
                    ys[(bb * s + t) * f + c] = (float) acc;
                }
            }
        }
        return Tensor.of(ys, x.shape());
    }

    /** One step of the causal convolution: x (B,1,F), state (B,KS,F) of the last KS inputs (updated). */
    static Tensor causalConvStep(Tensor x, Tensor state, Tensor w, Tensor b) {
        int bsz = Math.toIntExact(x.dim(0)), f = Math.toIntExact(x.dim(2));
        int ks = Math.toIntExact(w.dim(-1));
        float[] xs = x.toFloatArray(), st = state.toFloatArray(), wf = floats(w), bf = floats(b);
        float[] ys = new float[bsz * f];
        for (int bb = 0; bb < bsz; bb++) {
            int o = bb * ks * f;
            System.arraycopy(st, o + f, st, o, (ks - 1) * f);
            System.arraycopy(xs, bb * f, st, o + (ks - 1) * f, f);
            for (int c = 0; c < f; c++) {
                double acc = bf == null ? 0 : bf[c];
                for (int j = 0; j < ks; j++) acc += (double) st[o + j * f + c] * wf[c * ks + j];
                ys[bb * f + c] = (float) acc;
            }
        }
        MemorySegment.copy(st, 0, state.data(), F, 0, st.length);
        return Tensor.of(ys, x.shape());
    }

    /** Block-diagonal linear: x (..., nh*din), w (nh, dout, din), b (nh*dout) or null. */
    static Tensor headwise(Tensor x, Tensor w, Tensor b) {
        int nh = Math.toIntExact(w.dim(0)), dout = Math.toIntExact(w.dim(1)), din = Math.toIntExact(w.dim(2));
        if (x.dim(-1) != (long) nh * din) throw new IllegalArgumentException("headwise: " + x + " with " + w);
        int rows = Math.toIntExact(x.numel() / ((long) nh * din));
        float[] xs = x.toFloatArray(), wf = floats(w), bf = floats(b);
        float[] ys = new float[rows * nh * dout];
        for (int r = 0; r < rows; r++) {
            for (int h = 0; h < nh; h++) {
                for (int o = 0; o < dout; o++) {
                    float acc = 0f;
                    for (int d = 0; d < din; d++) acc += xs[r * nh * din + h * din + d] * wf[(h * dout + o) * din + d];
                    if (bf != null) acc += bf[h * dout + o];
                    ys[r * nh * dout + h * dout + o] = acc;
                }
            }
        }
        long[] shape = x.shape();
        shape[shape.length - 1] = (long) nh * dout;
        return Tensor.of(ys, shape);
    }

    /** Rows of {@code table} (V, E) for token ids (B,S) -> (B,S,E) float32; ids must lie in [0, V). */
    static Tensor embedding(Tensor ids, Tensor table) {
        long v = table.dim(0);
        int e = Math.toIntExact(table.dim(1));
        long[] idv = ids.toLongArray();
        long[] shape = new long[ids.rank() + 1];
        for (int i = 0; i < ids.rank(); i++) shape[i] = ids.dim(i);
        shape[ids.rank()] = e;
        Tensor y = Tensor.zeros(shape);
        for (int r = 0; r < idv.length; r++) {
            long id = idv[r];
            if (id < 0 || id >= v) {
                throw new UserError("token id " + id + " is out of range for vocabulary size " + v);
            }
            for (int j = 0; j < e; j++) y.setFloat((long) r * e + j, table.getFloat(id * e + j));
        }
        return y;
    }

    /** (B, S, NH*D) -> (B, NH, S, D) (a copy). */
    static Tensor toHeads(Tensor x, int nh) {
        int b = Math.toIntExact(x.dim(0)), s = Math.toIntExact(x.dim(1));
        int d = Math.toIntExact(x.dim(2) / nh);
        return swap12(x.reshape(b, s, nh, d));
    }

    /** (B, NH, S, D) -> (B, S, NH*D) (a copy). */
    static Tensor fromHeads(Tensor x) {
        Tensor t = swap12(x);
        return t.reshape(t.dim(0), t.dim(1), t.dim(2) * t.dim(3));
    }

    /** (A, X, Y, D) -> (A, Y, X, D). Also used for (B,S,NH) -> (B,NH,S) with D = 1. */
    static Tensor swap12(Tensor x) {
        int a = Math.toIntExact(x.dim(0)), p = Math.toIntExact(x.dim(1)), q = Math.toIntExact(x.dim(2));
        int d = Math.toIntExact(x.dim(3));
        Tensor y = Tensor.zeros(a, q, p, d);
        MemorySegment xs = x.data(), ys = y.data();
        for (int i = 0; i < a; i++)
            for (int j = 0; j < p; j++)
                for (int k = 0; k < q; k++)
                    MemorySegment.copy(xs, (((long) i * p + j) * q + k) * d * 4, ys, (((long) i * q + k) * p + j) * d * 4, d * 4L);
        return y;
    }

    /** x += y elementwise (same shapes). */
    static void addInPlace(Tensor x, Tensor y) {
        MemorySegment xs = x.data(), ys = y.data();
        for (long i = 0; i < x.numel(); i++) xs.setAtIndex(F, i, xs.getAtIndex(F, i) + ys.getAtIndex(F, i));
    }

    /** Concatenation along the last axis. */
    static Tensor concatLast(Tensor... parts) {
        long rows = parts[0].numel() / parts[0].dim(-1);
        long total = 0;
        for (Tensor p : parts) total += p.dim(-1);
        long[] shape = parts[0].shape();
        shape[shape.length - 1] = total;
        Tensor y = Tensor.zeros(shape);
        long off = 0;
        for (Tensor p : parts) {
            long n = p.dim(-1);
            for (long r = 0; r < rows; r++) MemorySegment.copy(p.data(), r * n * 4, y.data(), (r * total + off) * 4, n * 4);
            off += n;
        }
        return y;
    }

    /** Index of the largest value of each row of x (..., V); the first one on ties. */
    static long[] argmaxLast(Tensor x) {
        int v = Math.toIntExact(x.dim(-1));
        int rows = Math.toIntExact(x.numel() / v);
        long[] out = new long[rows];
        for (int r = 0; r < rows; r++) {
            int best = 0;
            float bv = x.getFloat((long) r * v);
            for (int j = 1; j < v; j++) {
                float c = x.getFloat((long) r * v + j);
                if (c > bv) { bv = c; best = j; }
            }
            out[r] = best;
        }
        return out;
    }
}
