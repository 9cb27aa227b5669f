package xlstm.runtime.ops;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import xlstm.backends.DType;
import xlstm.backends.cpu.CpuConv1d;
import xlstm.backends.cpu.CpuElementwise;
import xlstm.backends.cpu.CpuEmbedding;
import xlstm.backends.cpu.CpuHeadwise;
import xlstm.backends.cpu.CpuLayout;
import xlstm.backends.cpu.CpuLinear;
import xlstm.backends.cpu.CpuNorms;
import xlstm.backends.cpu.CpuReduce;
import xlstm.runtime.UserError;
import xlstm.runtime.tensor.Tensor;

/**
 * Tensor-level CPU operations, so model code reads like the reference. Activations are float32 (a bf16 or
 * other float input is widened first); matrices ({@code linear}, {@code headwiseLinear}, {@code embedding}) may
 * be float32 or bf16 and are read as stored; small parameters (norm weights, biases, conv kernels) are widened
 * when not float32. Results are new, contiguous float32 tensors unless a method says "in place". Shape
 * mistakes are {@link IllegalArgumentException}s (programming errors); bad token ids are {@link UserError}s.
 */
public final class CpuOps {
    private CpuOps() {}

    // ------------------------------------------------------------------ helpers

    /** x as float32 (itself when it already is). */
    public static Tensor f32(Tensor x) {
        return x == null || x.dtype() == DType.F32 ? x : x.toF32();
    }

    private static boolean matrixBf16(Tensor w, String op) {
        return switch (w.dtype()) {
            case F32 -> false;
            case BF16 -> true;
            default -> throw new IllegalArgumentException(op + ": weight dtype " + w.dtype() + " (want F32 or BF16)");
        };
    }

    private static Tensor matrix(Tensor w) {
        return w.dtype() == DType.F32 || w.dtype() == DType.BF16 ? w : w.toF32();
    }

    private static MemorySegment seg(Tensor t) { return t == null ? null : t.data(); }

    private static int i(long v) { return Math.toIntExact(v); }

    private static long[] withLast(long[] shape, long last) {
        long[] s = shape.clone();
        s[s.length - 1] = last;
        return s;
    }

    private static void checkVector(Tensor v, long n, String what) {
        if (v != null && v.numel() != n) {
            throw new IllegalArgumentException(what + " " + v + " does not have " + n + " elements");
        }
    }

    // ------------------------------------------------------------------ linear layers

    /** {@code x (..., in) · wᵀ + bias}: w (out, in) float32 or bf16, bias (out) or null → (..., out). */
    public static Tensor linear(Tensor x, Tensor w, Tensor bias) {
        if (w.rank() != 2) throw new IllegalArgumentException("linear: weight " + w + " is not a matrix");
        w = matrix(w);
        int out = i(w.dim(0)), in = i(w.dim(1));
        if (x.dim(-1) != in) throw new IllegalArgumentException("linear: input " + x + " with weight " + w);
        checkVector(bias, out, "linear: bias");
        x = f32(x);
        bias = f32(bias);
        int rows = i(x.numel() / Math.max(1, in));
        if (in == 0) rows = i(Tensor.count(Arrays.copyOf(x.shape(), x.rank() - 1)));
        Tensor y = Tensor.zeros(withLast(x.shape(), out));
        CpuLinear.linear(x.data(), 0, rows, in, w.data(), 0, matrixBf16(w, "linear"), out, seg(bias), 0, y.data(), 0);
        return y;
    }

    /**
     * {@code LinearHeadwiseExpand}: x (..., NH·din), w (NH, dout, din) float32 or bf16, bias (NH·dout) or null →
     * (..., NH·dout).
     */
    public static Tensor headwiseLinear(Tensor x, Tensor w, Tensor bias) {
        if (w.rank() != 3) throw new IllegalArgumentException("headwiseLinear: weight " + w + " is not (NH, dout, din)");
        w = matrix(w);
        int nh = i(w.dim(0)), dout = i(w.dim(1)), din = i(w.dim(2));
        if (x.dim(-1) != (long) nh * din) throw new IllegalArgumentException("headwiseLinear: " + x + " with " + w);
        checkVector(bias, (long) nh * dout, "headwiseLinear: bias");
        x = f32(x);
        bias = f32(bias);
        int rows = i(x.numel() / Math.max(1, (long) nh * din));
        Tensor y = Tensor.zeros(withLast(x.shape(), (long) nh * dout));
        CpuHeadwise.headwiseLinear(x.data(), 0, rows, nh, din, w.data(), 0, matrixBf16(w, "headwiseLinear"), dout,
                seg(bias), 0, y.data(), 0);
        return y;
    }

    // ------------------------------------------------------------------ norms

    /**
     * Layer norm over the last axis (biased variance): scale {@code w}, or {@code 1 + w} when
     * {@code offsetWeight} (the original architecture's LayerNorm); w and b may be null.
     */
    public static Tensor layerNorm(Tensor x, Tensor w, Tensor b, float eps, boolean offsetWeight) {
        return multiHeadLayerNorm(x, 1, w, b, eps, offsetWeight);
    }

    /** {@code x·rsqrt(mean(x²) + eps)·w (+ b)} over the last axis; w, b may be null. */
    public static Tensor rmsNorm(Tensor x, Tensor w, Tensor b, float eps) {
        x = f32(x);
        int n = i(x.dim(-1));
        checkVector(w, n, "rmsNorm: weight");
        checkVector(b, n, "rmsNorm: bias");
        Tensor y = Tensor.zeros(x.shape());
        CpuNorms.rmsNorm(x.data(), 0, y.data(), 0, i(x.numel() / Math.max(1, n)), n, seg(f32(w)), 0, seg(f32(b)), 0, eps);
        return y;
    }

    /**
     * Multi-head layer norm of rows (..., NH·DH): each head's DH features normalised on their own, then the
     * weight (NH·DH) applied ({@code 1 + w} with {@code offsetWeight}, as the original architecture's
     * MultiHeadLayerNorm; plain {@code w} for xLSTM Large), then the bias.
     */
    public static Tensor multiHeadLayerNorm(Tensor x, int numHeads, Tensor w, Tensor b, float eps, boolean offsetWeight) {
        x = f32(x);
        int n = i(x.dim(-1));
        if (numHeads <= 0 || n % numHeads != 0) {
            throw new IllegalArgumentException("multiHeadLayerNorm: " + numHeads + " heads do not divide " + n);
        }
        checkVector(w, n, "norm weight");
        checkVector(b, n, "norm bias");
        Tensor y = Tensor.zeros(x.shape());
        CpuNorms.groupNorm(x.data(), 0, y.data(), 0, i(x.numel() / Math.max(1, n)), numHeads, n / numHeads,
                seg(f32(w)), 0, seg(f32(b)), 0, eps, offsetWeight);
        return y;
    }

    // ------------------------------------------------------------------ convolution

    /** Causal depthwise convolution of x (B, S, F) with weight (F, 1, KS) and bias (F) or null → (B, S, F). */
    public static Tensor conv1d(Tensor x, Tensor w, Tensor bias) {
        if (x.rank() != 3) throw new IllegalArgumentException("conv1d: input " + x + " is not (B, S, F)");
        int bsz = i(x.dim(0)), s = i(x.dim(1)), f = i(x.dim(2));
        int ks = convKernel(w, f);
        checkVector(bias, f, "conv1d: bias");
        x = f32(x);
        Tensor y = Tensor.zeros(x.shape());
        CpuConv1d.causalConv1d(x.data(), 0, y.data(), 0, bsz, s, f, seg(f32(w)), 0, ks, seg(f32(bias)), 0);
        return y;
    }

    /**
     * One step of the causal convolution: x (B, F) or (B, 1, F); {@code state} (B, KS, F) float32 holds the last
     * KS inputs and is updated in place → y with x's shape.
     */
    public static Tensor conv1dStep(Tensor x, Tensor state, Tensor w, Tensor bias) {
        int bsz = i(x.dim(0)), f = i(x.dim(-1));
        if (x.numel() != (long) bsz * f) throw new IllegalArgumentException("conv1dStep: input " + x + " is not (B, F)");
        int ks = convKernel(w, f);
        if (state.dtype() != DType.F32 || state.rank() != 3 || state.dim(0) != bsz || state.dim(1) != ks
                || state.dim(2) != f) {
            throw new IllegalArgumentException("conv1dStep: state " + state + " is not float32 (" + bsz + ", " + ks
                    + ", " + f + ")");
        }
        checkVector(bias, f, "conv1dStep: bias");
        x = f32(x);
        Tensor y = Tensor.zeros(x.shape());
        CpuConv1d.causalConv1dStep(x.data(), 0, state.data(), 0, y.data(), 0, bsz, f, seg(f32(w)), 0, ks,
                seg(f32(bias)), 0);
        return y;
    }

    /** A zero convolution state (B, KS, F). */
    public static Tensor conv1dState(int batch, int kernelSize, int features) {
        return Tensor.zeros(batch, kernelSize, features);
    }

    private static int convKernel(Tensor w, int f) {
        if (w == null) return 0;
        int ks = i(w.dim(-1));
        if (w.numel() != (long) f * ks) throw new IllegalArgumentException("conv weight " + w + " is not (" + f + ", 1, KS)");
        return ks;
    }

    // ------------------------------------------------------------------ embedding, arithmetic, layout

    /**
     * Rows of {@code table} (V, E) (float32 or bf16) for integer ids of any shape → (ids..., E) float32. An id
     * outside [0, V) is a {@link UserError}.
     */
    public static Tensor embedding(Tensor ids, Tensor table) {
        if (table.rank() != 2) throw new IllegalArgumentException("embedding: table " + table + " is not (V, E)");
        table = matrix(table);
        if (ids.dtype() != DType.I64 && ids.dtype() != DType.I32) {
            ids = Tensor.ofLongs(ids.toLongArray(), ids.shape());
        }
        int v = i(table.dim(0)), e = i(table.dim(1)), n = i(ids.numel());
        long[] shape = Arrays.copyOf(ids.shape(), ids.rank() + 1);
        shape[ids.rank()] = e;
        Tensor y = Tensor.zeros(shape);
        try {
            CpuEmbedding.embedding(table.data(), 0, matrixBf16(table, "embedding"), v, e, ids.data(), 0,
                    ids.dtype() == DType.I64, n, y.data(), 0);
        } catch (IndexOutOfBoundsException ex) {
            throw new UserError(ex.getMessage());
        }
        return y;
    }

    /** a + b (same number of elements; the result has a's shape). */
    public static Tensor add(Tensor a, Tensor b) {
        sameSize(a, b, "add");
        a = f32(a);
        b = f32(b);
        Tensor y = Tensor.zeros(a.shape());
        CpuElementwise.add(a.data(), 0, b.data(), 0, y.data(), 0, a.numel());
        return y;
    }

    /** y += x in place (y float32). */
    public static void addInPlace(Tensor y, Tensor x) {
        sameSize(y, x, "addInPlace");
        if (y.dtype() != DType.F32) throw new IllegalArgumentException("addInPlace: target " + y + " is not float32");
        x = f32(x);
        CpuElementwise.add(y.data(), 0, x.data(), 0, y.data(), 0, y.numel());
    }

    /** a ⊙ b (element-wise product). */
    public static Tensor mul(Tensor a, Tensor b) {
        sameSize(a, b, "mul");
        a = f32(a);
        b = f32(b);
        Tensor y = Tensor.zeros(a.shape());
        CpuElementwise.mul(a.data(), 0, b.data(), 0, y.data(), 0, a.numel());
        return y;
    }

    private static void sameSize(Tensor a, Tensor b, String op) {
        if (a.numel() != b.numel()) throw new IllegalArgumentException(op + ": " + a + " and " + b);
    }

    /** (B, S, NH·D) or (B, S, NH, D) → (B, NH, S, D), a copy (keeps the dtype). */
    public static Tensor toHeads(Tensor x, int numHeads) {
        int b = i(x.dim(0)), s = i(x.dim(1));
        long rest = x.numel() / Math.max(1, (long) b * s);
        if (rest % numHeads != 0) throw new IllegalArgumentException("toHeads: " + numHeads + " heads do not divide " + x);
        int d = i(rest / numHeads);
        Tensor y = Tensor.zeros(x.dtype(), b, numHeads, s, d);
        CpuLayout.toHeads(x.data(), 0, y.data(), 0, b, s, numHeads, d, x.dtype().byteSize());
        return y;
    }

    /** (B, NH, S, D) → (B, S, NH·D), a copy (keeps the dtype). */
    public static Tensor fromHeads(Tensor x) {
        if (x.rank() != 4) throw new IllegalArgumentException("fromHeads: " + x + " is not (B, NH, S, D)");
        int b = i(x.dim(0)), nh = i(x.dim(1)), s = i(x.dim(2)), d = i(x.dim(3));
        Tensor y = Tensor.zeros(x.dtype(), b, s, (long) nh * d);
        CpuLayout.fromHeads(x.data(), 0, y.data(), 0, b, nh, s, d, x.dtype().byteSize());
        return y;
    }

    /** (A, X, Y, D) → (A, Y, X, D), a copy; e.g. gates (B, S, NH, 1) → (B, NH, S, 1). */
    public static Tensor swap12(Tensor x) {
        if (x.rank() != 4) throw new IllegalArgumentException("swap12: " + x + " is not 4-dimensional");
        int a = i(x.dim(0)), p = i(x.dim(1)), q = i(x.dim(2)), d = i(x.dim(3));
        Tensor y = Tensor.zeros(x.dtype(), a, q, p, d);
        CpuLayout.toHeads(x.data(), 0, y.data(), 0, a, p, q, d, x.dtype().byteSize());
        return y;
    }

    /** Concatenation along the last axis (equal leading shapes; the result has parts[0]'s dtype). */
    public static Tensor concatLast(Tensor... parts) {
        long rows = parts[0].numel() / Math.max(1, parts[0].dim(-1));
        long total = 0;
        DType dt = parts[0].dtype();
        for (Tensor p : parts) {
            if (p.dtype() != dt || p.numel() / Math.max(1, p.dim(-1)) != rows) {
                throw new IllegalArgumentException("concatLast: " + Arrays.toString(parts));
            }
            total += p.dim(-1);
        }
        Tensor y = Tensor.zeros(dt, withLast(parts[0].shape(), total));
        int es = dt.byteSize();
        long off = 0;
        for (Tensor p : parts) {
            long n = p.dim(-1);
            for (long r = 0; r < rows; r++) {
                MemorySegment.copy(p.data(), r * n * es, y.data(), (r * total + off) * es, n * es);
            }
            off += n;
        }
        return y;
    }

    /** Index of the largest value in each row of x (..., V): the first on ties, a NaN if any (as torch). */
    public static long[] argmaxLast(Tensor x) {
        x = f32(x);
        int v = i(x.dim(-1));
        int rows = i(x.numel() / Math.max(1, v));
        int[] idx = CpuReduce.argmaxRows(x.data(), 0, rows, v);
        long[] out = new long[rows];
        for (int r = 0; r < rows; r++) out[r] = idx[r];
        return out;
    }
}
