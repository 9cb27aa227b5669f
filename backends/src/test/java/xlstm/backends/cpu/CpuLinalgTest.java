package xlstm.backends.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import xlstm.backends.DType;

/**
 * Every routine against a naive double-precision loop, on odd sizes (so vector tails run), float32 and bf16
 * weights, vector and scalar mode.
 */
class CpuLinalgTest {
    static final Random RNG = new Random(1234);

    @AfterEach
    void resetMode() { KernelMode.forceScalar(false); }

    // ------------------------------------------------------------------ helpers

    static float[] randn(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) RNG.nextGaussian();
        return a;
    }

    static MemorySegment f32(float[] a) {
        MemorySegment s = Arena.ofAuto().allocate(Math.max(4, 4L * a.length), 64).asSlice(0, 4L * a.length);
        MemorySegment.copy(a, 0, s, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, a.length);
        return s;
    }

    /** Stores a as bf16 and rounds a in place to the stored values. */
    static MemorySegment bf16(float[] a) {
        MemorySegment s = Arena.ofAuto().allocate(Math.max(2, 2L * a.length), 64).asSlice(0, 2L * a.length);
        for (int i = 0; i < a.length; i++) {
            short b = DType.toBf16(a[i]);
            s.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, b);
            a[i] = DType.fromBf16(b);
        }
        return s;
    }

    static MemorySegment weights(float[] a, boolean bf16) { return bf16 ? bf16(a) : f32(a); }

    static float[] read(MemorySegment s, int n) {
        float[] out = new float[n];
        MemorySegment.copy(s, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, out, 0, n);
        return out;
    }

    static MemorySegment zeros(int n) { return f32(new float[n]); }

    /** |got − want| ≤ tol·scale[i] + 1e-6 for each element. */
    static void close(double[] want, double[] scale, float[] got, double tol, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            double err = Math.abs(got[i] - want[i]);
            assertTrue(err <= tol * scale[i] + 1e-6, what + " [" + i + "]: got " + got[i] + ", want " + want[i]);
        }
    }

    static void close(double[] want, float[] got, double tol, String what) {
        double[] scale = new double[want.length];
        for (int i = 0; i < want.length; i++) scale[i] = Math.max(1, Math.abs(want[i]));
        close(want, scale, got, tol, what);
    }

    static final int[][] LINEAR_SIZES = {
            {1, 1, 1}, {1, 37, 13}, {1, 257, 31}, {3, 19, 5}, {4, 64, 6}, {5, 33, 7}, {9, 131, 67}, {70, 45, 300},
            {131, 17, 3}, {2, 1000, 517}, {40, 300, 70}, {64, 520, 97}, {97, 1031, 33}, {200, 140, 40},
            {65, 24, 16385}, {80, 600, 20}, {64, 512, 24}}; // many columns per task; K over 3 and 2 depth blocks

    // ------------------------------------------------------------------ linear

    @ParameterizedTest
    @ValueSource(strings = {"vector-f32", "vector-bf16", "scalar-f32", "scalar-bf16"})
    void linear(String mode) {
        KernelMode.forceScalar(mode.startsWith("scalar"));
        boolean bf = mode.endsWith("bf16");
        for (int[] sz : LINEAR_SIZES) {
            int rows = sz[0], in = sz[1], out = sz[2];
            for (boolean withBias : new boolean[] {false, true}) {
                float[] x = randn(rows * in), w = randn(out * in), b = randn(out);
                MemorySegment ws = weights(w, bf);
                MemorySegment y = zeros(rows * out);
                CpuLinear.linear(f32(x), 0, rows, in, ws, 0, bf, out, withBias ? f32(b) : null, 0, y, 0);
                double[] want = new double[rows * out], scale = new double[rows * out];
                for (int r = 0; r < rows; r++) {
                    for (int o = 0; o < out; o++) {
                        double acc = withBias ? b[o] : 0, abs = withBias ? Math.abs(b[o]) : 0;
                        for (int i = 0; i < in; i++) {
                            acc += (double) x[r * in + i] * w[o * in + i];
                            abs += Math.abs((double) x[r * in + i] * w[o * in + i]);
                        }
                        want[r * out + o] = acc;
                        scale[r * out + o] = abs;
                    }
                }
                close(want, scale, read(y, rows * out), 1e-6 * Math.max(8, in), mode + " linear " + rows + "x" + in + "x" + out);
            }
        }
    }

    /**
     * Several layers over one x ({@code linears}: one GEMM pass from GEMM_ROWS rows on) give exactly what each
     * layer's own {@code linear} gives: parts of odd widths (one narrower than a register block), with and without
     * bias, below and above the GEMM threshold.
     */
    @ParameterizedTest
    @ValueSource(strings = {"f32", "bf16"})
    void linearsEqualEachLinear(String dtype) {
        boolean bf = dtype.equals("bf16");
        int in = 77;
        int[] outs = {3, 130, 41};
        for (int rows : new int[] {5, CpuLinear.GEMM_ROWS, 150}) {
            float[] x = randn(rows * in);
            FusedLinear.Part[] parts = new FusedLinear.Part[outs.length];
            MemorySegment[] ys = new MemorySegment[outs.length];
            for (int j = 0; j < outs.length; j++) {
                parts[j] = new FusedLinear.Part(weights(randn(outs[j] * in), bf), 0, bf, outs[j],
                        j == 1 ? null : f32(randn(outs[j])), 0);
                ys[j] = zeros(rows * outs[j]);
            }
            CpuLinear.linears(f32(x), 0, rows, in, parts, ys);
            for (int j = 0; j < outs.length; j++) {
                FusedLinear.Part p = parts[j];
                MemorySegment want = zeros(rows * outs[j]);
                CpuLinear.linear(f32(x), 0, rows, in, p.w(), 0, bf, p.out(), p.b(), 0, want, 0);
                assertArrayEquals(read(want, rows * outs[j]), read(ys[j], rows * outs[j]), dtype + " rows " + rows + " part " + j);
            }
        }
    }

    @Test
    void linearWithOffsets() {
        int rows = 6, in = 23, out = 9;
        float[] x = randn(3 + rows * in), w = randn(5 + out * in), b = randn(2 + out);
        MemorySegment y = zeros(4 + rows * out);
        CpuLinear.linear(f32(x), 3, rows, in, f32(w), 5, false, out, f32(b), 2, y, 4);
        float[] got = read(y, 4 + rows * out);
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < out; o++) {
                double acc = b[2 + o];
                for (int i = 0; i < in; i++) acc += (double) x[3 + r * in + i] * w[5 + o * in + i];
                assertEquals(acc, got[4 + r * out + o], 1e-4);
            }
        }
        assertEquals(0f, got[0]);
    }

    // ------------------------------------------------------------------ norms

    static double[] refNorm(float[] x, int rows, int groups, int gs, float[] w, float[] b, double eps, boolean offset,
                            boolean rms) {
        int n = groups * gs;
        double[] y = new double[rows * n];
        for (int r = 0; r < rows; r++) {
            for (int g = 0; g < groups; g++) {
                int o = r * n + g * gs;
                double mean = 0, ss = 0;
                if (!rms) {
                    for (int i = 0; i < gs; i++) mean += x[o + i];
                    mean /= gs;
                }
                for (int i = 0; i < gs; i++) ss += (x[o + i] - mean) * (x[o + i] - mean);
                double rstd = 1 / Math.sqrt(ss / gs + eps);
                for (int i = 0; i < gs; i++) {
                    int c = g * gs + i;
                    double v = (x[o + i] - mean) * rstd;
                    if (w != null) v *= offset ? 1 + w[c] : w[c];
                    if (b != null) v += b[c];
                    y[o + i] = v;
                }
            }
        }
        return y;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void norms(boolean scalar) {
        KernelMode.forceScalar(scalar);
        for (int n : new int[] {1, 7, 16, 33, 129, 4099}) {
            int rows = 5;
            float[] x = randn(rows * n), w = randn(n), b = randn(n);
            for (int i = 0; i < x.length; i++) x[i] = x[i] * 3 + 2; // non-zero mean
            for (boolean offset : new boolean[] {false, true}) {
                MemorySegment y = zeros(rows * n);
                CpuNorms.layerNorm(f32(x), 0, y, 0, rows, n, f32(w), 0, f32(b), 0, 1e-5f, offset);
                close(refNorm(x, rows, 1, n, w, b, 1e-5, offset, false), read(y, rows * n), 2e-5, "layerNorm " + n);
            }
            MemorySegment y = zeros(rows * n);
            CpuNorms.layerNorm(f32(x), 0, y, 0, rows, n, null, 0, null, 0, 1e-5f, false);
            close(refNorm(x, rows, 1, n, null, null, 1e-5, false, false), read(y, rows * n), 2e-5, "layerNorm plain " + n);
            CpuNorms.rmsNorm(f32(x), 0, y, 0, rows, n, f32(w), 0, null, 0, 1e-6f);
            close(refNorm(x, rows, 1, n, w, null, 1e-6, false, true), read(y, rows * n), 2e-5, "rmsNorm " + n);
            CpuNorms.rmsNorm(f32(x), 0, y, 0, rows, n, f32(w), 0, f32(b), 0, 1e-6f);
            close(refNorm(x, rows, 1, n, w, b, 1e-6, false, true), read(y, rows * n), 2e-5, "rmsNorm bias " + n);
            // in place
            MemorySegment xs = f32(x);
            CpuNorms.rmsNorm(xs, 0, xs, 0, rows, n, null, 0, null, 0, 1e-6f);
            close(refNorm(x, rows, 1, n, null, null, 1e-6, false, true), read(xs, rows * n), 2e-5, "rmsNorm in place " + n);
        }
        for (int[] gs : new int[][] {{4, 8}, {3, 17}, {2, 1}, {5, 33}}) {
            int rows = 7, n = gs[0] * gs[1];
            float[] x = randn(rows * n), w = randn(n), b = randn(n);
            for (boolean offset : new boolean[] {false, true}) {
                MemorySegment y = zeros(rows * n);
                CpuNorms.groupNorm(f32(x), 0, y, 0, rows, gs[0], gs[1], f32(w), 0, offset ? null : f32(b), 0, 1e-5f,
                        offset);
                close(refNorm(x, rows, gs[0], gs[1], w, offset ? null : b, 1e-5, offset, false), read(y, rows * n), 2e-5,
                        "groupNorm " + gs[0] + "x" + gs[1]);
            }
        }
    }

    // ------------------------------------------------------------------ conv

    static double[] refConv(float[] x, int batch, int seq, int f, float[] w, int ks, float[] b) {
        double[] y = new double[batch * seq * f];
        for (int bi = 0; bi < batch; bi++) {
            for (int t = 0; t < seq; t++) {
                for (int c = 0; c < f; c++) {
                    double acc = b == null ? 0 : b[c];
                    for (int j = 0; j < ks; j++) {
                        int tt = t - ks + 1 + j;
                        if (tt >= 0) acc += (double) w[c * ks + j] * x[(bi * seq + tt) * f + c];
                    }
                    y[(bi * seq + t) * f + c] = ks == 0 ? x[(bi * seq + t) * f + c] : acc;
                }
            }
        }
        return y;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void causalConv(boolean scalar) {
        KernelMode.forceScalar(scalar);
        for (int[] sz : new int[][] {{2, 9, 37, 4}, {1, 3, 16, 4}, {3, 5, 7, 2}, {2, 6, 19, 1}, {1, 4, 33, 0},
                {2, 2, 65, 5}}) {
            int batch = sz[0], seq = sz[1], f = sz[2], ks = sz[3];
            float[] x = randn(batch * seq * f), w = randn(f * Math.max(ks, 1)), b = randn(f);
            MemorySegment y = zeros(batch * seq * f);
            CpuConv1d.causalConv1d(f32(x), 0, y, 0, batch, seq, f, f32(w), 0, ks, f32(b), 0);
            double[] want = refConv(x, batch, seq, f, w, ks, b);
            float[] got = read(y, batch * seq * f);
            close(want, got, 1e-5, "conv " + java.util.Arrays.toString(sz));
            // stepping reproduces the sequence form exactly
            MemorySegment state = zeros(batch * Math.max(ks, 1) * f);
            MemorySegment xs = f32(x);
            for (int t = 0; t < seq; t++) {
                float[] xt = new float[batch * f];
                for (int bi = 0; bi < batch; bi++) System.arraycopy(x, (bi * seq + t) * f, xt, bi * f, f);
                MemorySegment yt = zeros(batch * f);
                CpuConv1d.causalConv1dStep(f32(xt), 0, state, 0, yt, 0, batch, f, f32(w), 0, ks, f32(b), 0);
                float[] g = read(yt, batch * f);
                for (int bi = 0; bi < batch; bi++) {
                    for (int c = 0; c < f; c++) {
                        assertEquals(got[(bi * seq + t) * f + c], g[bi * f + c], 0f, "step t=" + t);
                    }
                }
            }
            assertEquals(xs.byteSize(), 4L * x.length);
        }
    }

    // ------------------------------------------------------------------ headwise

    @ParameterizedTest
    @ValueSource(strings = {"vector-f32", "vector-bf16", "scalar-f32", "scalar-bf16"})
    void headwise(String mode) {
        KernelMode.forceScalar(mode.startsWith("scalar"));
        boolean bf = mode.endsWith("bf16");
        for (int[] sz : new int[][] {{5, 64, 4, 4}, {3, 4, 32, 32}, {2, 3, 19, 7}, {7, 2, 33, 66}, {1, 1, 1, 1}}) {
            int rows = sz[0], nh = sz[1], din = sz[2], dout = sz[3];
            float[] x = randn(rows * nh * din), w = randn(nh * dout * din), b = randn(nh * dout);
            MemorySegment ws = weights(w, bf);
            for (boolean withBias : new boolean[] {false, true}) {
                MemorySegment y = zeros(rows * nh * dout);
                CpuHeadwise.headwiseLinear(f32(x), 0, rows, nh, din, ws, 0, bf, dout, withBias ? f32(b) : null, 0, y, 0);
                double[] want = new double[rows * nh * dout];
                for (int r = 0; r < rows; r++) {
                    for (int h = 0; h < nh; h++) {
                        for (int o = 0; o < dout; o++) {
                            double acc = withBias ? b[h * dout + o] : 0;
                            for (int d = 0; d < din; d++) {
                                acc += (double) x[r * nh * din + h * din + d] * w[(h * dout + o) * din + d];
                            }
                            want[r * nh * dout + h * dout + o] = acc;
                        }
                    }
                }
                close(want, read(y, want.length), 1e-5, mode + " headwise " + java.util.Arrays.toString(sz));
            }
        }
    }

    // ------------------------------------------------------------------ embedding, argmax, layout, convert

    @ParameterizedTest
    @ValueSource(strings = {"vector-f32", "vector-bf16", "scalar-f32", "scalar-bf16"})
    void embedding(String mode) {
        KernelMode.forceScalar(mode.startsWith("scalar"));
        boolean bf = mode.endsWith("bf16");
        int v = 11, e = 37;
        float[] table = randn(v * e);
        MemorySegment ts = weights(table, bf);
        long[] ids = {3, 0, 10, 3, 7};
        MemorySegment idSeg = Arena.ofAuto().allocate(8L * ids.length, 8);
        MemorySegment.copy(ids, 0, idSeg, ValueLayout.JAVA_LONG_UNALIGNED, 0, ids.length);
        MemorySegment y = zeros(ids.length * e);
        CpuEmbedding.embedding(ts, 0, bf, v, e, idSeg, 0, true, ids.length, y, 0);
        float[] got = read(y, ids.length * e);
        for (int i = 0; i < ids.length; i++) {
            for (int j = 0; j < e; j++) assertEquals(table[(int) ids[i] * e + j], got[i * e + j], 0f);
        }
        MemorySegment ints = Arena.ofAuto().allocate(8, 4);
        ints.setAtIndex(ValueLayout.JAVA_INT_UNALIGNED, 0, 2);
        ints.setAtIndex(ValueLayout.JAVA_INT_UNALIGNED, 1, 11);
        IndexOutOfBoundsException ex = assertThrows(IndexOutOfBoundsException.class,
                () -> CpuEmbedding.embedding(ts, 0, bf, v, e, ints, 0, false, 2, zeros(2 * e), 0));
        assertTrue(ex.getMessage().contains("token id 11 at position 1") && ex.getMessage().contains("[0, 11)"),
                ex.getMessage());
        idSeg.setAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, 2, -1L);
        assertThrows(IndexOutOfBoundsException.class,
                () -> CpuEmbedding.embedding(ts, 0, bf, v, e, idSeg, 0, true, ids.length, y, 0));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void argmax(boolean scalar) {
        KernelMode.forceScalar(scalar);
        for (int n : new int[] {1, 5, 16, 17, 100, 1001}) {
            for (int trial = 0; trial < 20; trial++) {
                float[] x = randn(n);
                int best = 0;
                for (int i = 1; i < n; i++) if (x[i] > x[best]) best = i;
                assertEquals(best, CpuReduce.argmax(f32(x), 0, n));
            }
        }
        float[] ties = {1, 5, 2, 5, 5, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5, 3};
        assertEquals(1, CpuReduce.argmax(f32(ties), 0, ties.length));
        float[] nan = new float[40];
        nan[3] = 9;
        nan[27] = Float.NaN;
        nan[33] = Float.NaN;
        assertEquals(27, CpuReduce.argmax(f32(nan), 0, nan.length));
        float[] rows = {0, 3, 1, 7, 2, 2};
        assertArrayEquals(new int[] {1, 1, 0}, CpuReduce.argmaxRows(f32(rows), 0, 3, 2));
        assertEquals(2, CpuReduce.argmax(f32(new float[] {Float.NEGATIVE_INFINITY, -3, -1}), 0, 3));
    }

    @Test
    void layout() {
        // the second shape's rows (4 KB) put 4 positions in a task: 3 blocks of S, the last one short
        for (int[] shape : new int[][] {{2, 5, 3, 7}, {1, 10, 2, 1024}}) {
            int b = shape[0], s = shape[1], nh = shape[2], d = shape[3];
            float[] x = randn(b * s * nh * d);
            MemorySegment heads = zeros(x.length), back = zeros(x.length);
            CpuLayout.toHeads(f32(x), 0, heads, 0, b, s, nh, d, 4);
            float[] h = read(heads, x.length);
            for (int bi = 0; bi < b; bi++) {
                for (int si = 0; si < s; si++) {
                    for (int hi = 0; hi < nh; hi++) {
                        for (int di = 0; di < d; di++) {
                            assertEquals(x[((bi * s + si) * nh + hi) * d + di], h[((bi * nh + hi) * s + si) * d + di]);
                        }
                    }
                }
            }
            CpuLayout.fromHeads(heads, 0, back, 0, b, nh, s, d, 4);
            assertArrayEquals(x, read(back, x.length));
            // bf16 elements
            MemorySegment xb = bf16(x.clone()), hb = Arena.ofAuto().allocate(2L * x.length), bb = Arena.ofAuto().allocate(2L * x.length);
            CpuLayout.toHeads(xb, 0, hb, 0, b, s, nh, d, 2);
            CpuLayout.fromHeads(hb, 0, bb, 0, b, nh, s, d, 2);
            assertEquals(-1, xb.mismatch(bb));
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void convertAndElementwise(boolean scalar) {
        KernelMode.forceScalar(scalar);
        for (int n : new int[] {1, 15, 16, 17, 333, 70001}) {
            float[] x = randn(n);
            x[0] = Float.NaN;
            if (n > 3) { x[1] = Float.POSITIVE_INFINITY; x[2] = 1.00390625f; x[3] = 1.01171875f; } // ties to even
            MemorySegment b = Arena.ofAuto().allocate(2L * n);
            CpuConvert.f32ToBf16(f32(x), 0, b, 0, n);
            for (int i = 0; i < n; i++) {
                short want = DType.toBf16(x[i]);
                assertEquals(want, b.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i), "bf16 of " + x[i]);
            }
            MemorySegment back = zeros(n);
            CpuConvert.bf16ToF32(b, 0, back, 0, n);
            float[] got = read(back, n);
            for (int i = 0; i < n; i++) {
                assertEquals(DType.fromBf16(b.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i)), got[i], 0f);
            }
            float[] a = randn(n), c = randn(n);
            MemorySegment y = zeros(n);
            CpuElementwise.add(f32(a), 0, f32(c), 0, y, 0, n);
            float[] sum = read(y, n);
            for (int i = 0; i < n; i++) assertEquals(a[i] + c[i], sum[i], 0f);
            CpuElementwise.mul(f32(a), 0, f32(c), 0, y, 0, n);
            float[] prod = read(y, n);
            for (int i = 0; i < n; i++) assertEquals(a[i] * c[i], prod[i], 0f);
            MemorySegment ys = f32(c);
            CpuElementwise.axpy(0.5f, f32(a), 0, ys, 0, n);
            float[] ax = read(ys, n);
            for (int i = 0; i < n; i++) assertEquals(0.5 * a[i] + c[i], ax[i], 1e-6);
        }
    }

    @Test
    void dotMatchesScalarTwinClosely() {
        for (int n : new int[] {0, 1, 15, 16, 17, 63, 64, 65, 1000}) {
            float[] a = randn(n), w = randn(n);
            MemorySegment as = f32(a), ws = f32(w.clone()), wb = bf16(w);
            double want = 0;
            for (int i = 0; i < n; i++) want += (double) a[i] * w[i];
            assertEquals(want, Simd.dot(as, 0, wb, 0, n, true), 1e-4);
            assertEquals(want, Simd.dotScalar(as, 0, wb, 0, n, true), 1e-4);
            assertTrue(Math.abs(Simd.dot(as, 0, ws, 0, n) - Simd.dotScalar(as, 0, ws, 0, n, false)) < 1e-3);
        }
    }
}
