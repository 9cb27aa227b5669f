package xlstm.runtime.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import xlstm.backends.DType;
import xlstm.backends.cpu.KernelMode;
import xlstm.runtime.UserError;
import xlstm.runtime.tensor.Tensor;

/** The facade against naive double loops, through Tensors, in vector and scalar mode. */
class CpuOpsTest {
    final Random rng = new Random(7);

    @AfterEach
    void reset() { KernelMode.forceScalar(false); }

    Tensor randn(long... shape) {
        float[] v = new float[Math.toIntExact(Tensor.count(shape))];
        for (int i = 0; i < v.length; i++) v[i] = (float) rng.nextGaussian();
        return Tensor.of(v, shape);
    }

    static void close(double[] want, Tensor got, double tol) {
        assertEquals(DType.F32, got.dtype());
        assertEquals(want.length, got.numel());
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got.getFloat(i), tol * Math.max(1, Math.abs(want[i])), "element " + i);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void linearAndHeadwise(boolean scalar) {
        KernelMode.forceScalar(scalar);
        for (DType wd : new DType[] {DType.F32, DType.BF16}) {
            Tensor x = randn(2, 3, 37), w = randn(19, 37).to(wd), b = randn(19);
            Tensor y = CpuOps.linear(x, w, b);
            assertArrayEquals(new long[] {2, 3, 19}, y.shape());
            double[] want = new double[6 * 19];
            for (int r = 0; r < 6; r++) {
                for (int o = 0; o < 19; o++) {
                    double acc = b.getFloat(o);
                    for (int i = 0; i < 37; i++) acc += (double) x.getFloat(r * 37 + i) * w.getFloat(o * 37 + i);
                    want[r * 19 + o] = acc;
                }
            }
            close(want, y, 1e-5);
            close(want, CpuOps.linear(x.reshape(6, 37), w, b), 1e-5);
            close(java.util.Arrays.copyOf(want, 19), CpuOps.linear(x.reshape(6, 37).narrow0(0, 1), w, b), 1e-5); // GEMV

            Tensor hx = randn(5, 3 * 6), hw = randn(3, 4, 6).to(wd), hb = randn(12);
            Tensor hy = CpuOps.headwiseLinear(hx, hw, hb);
            assertArrayEquals(new long[] {5, 12}, hy.shape());
            double[] hw2 = new double[5 * 12];
            for (int r = 0; r < 5; r++)
                for (int h = 0; h < 3; h++)
                    for (int o = 0; o < 4; o++) {
                        double acc = hb.getFloat(h * 4 + o);
                        for (int d = 0; d < 6; d++) acc += (double) hx.getFloat(r * 18 + h * 6 + d) * hw.getFloat((h * 4 + o) * 6 + d);
                        hw2[r * 12 + h * 4 + o] = acc;
                    }
            close(hw2, hy, 1e-5);
        }
        assertThrows(IllegalArgumentException.class, () -> CpuOps.linear(randn(2, 5), randn(3, 4), null));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void normsConvEmbeddingLayout(boolean scalar) {
        KernelMode.forceScalar(scalar);
        Tensor x = randn(2, 5, 24), w = randn(24), b = randn(24);
        // multi-head LN with 3 heads of 8 = per-head layer norm
        Tensor y = CpuOps.multiHeadLayerNorm(x, 3, w, b, 1e-5f, true);
        for (int r = 0; r < 10; r++) {
            for (int h = 0; h < 3; h++) {
                double mean = 0, var = 0;
                for (int j = 0; j < 8; j++) mean += x.getFloat(r * 24 + h * 8 + j);
                mean /= 8;
                for (int j = 0; j < 8; j++) var += Math.pow(x.getFloat(r * 24 + h * 8 + j) - mean, 2);
                var /= 8;
                for (int j = 0; j < 8; j++) {
                    int c = h * 8 + j;
                    double want = (x.getFloat(r * 24 + c) - mean) / Math.sqrt(var + 1e-5) * (1 + w.getFloat(c)) + b.getFloat(c);
                    assertEquals(want, y.getFloat(r * 24 + c), 1e-4);
                }
            }
        }
        Tensor ln = CpuOps.layerNorm(x, null, null, 1e-5f, false);
        Tensor rms = CpuOps.rmsNorm(x, w, null, 1e-6f);
        for (int r = 0; r < 10; r++) {
            double ss = 0, sum = 0;
            for (int j = 0; j < 24; j++) { ss += Math.pow(x.getFloat(r * 24 + j), 2); sum += ln.getFloat(r * 24 + j); }
            assertEquals(0, sum, 1e-4);
            for (int j = 0; j < 24; j++) {
                assertEquals(x.getFloat(r * 24 + j) / Math.sqrt(ss / 24 + 1e-6) * w.getFloat(j), rms.getFloat(r * 24 + j), 1e-4);
            }
        }
        // conv: sequence vs steps with (B, 1, F) inputs
        Tensor cw = randn(24, 1, 4), cb = randn(24);
        Tensor seq = CpuOps.conv1d(x, cw, cb);
        Tensor state = CpuOps.conv1dState(2, 4, 24);
        for (int t = 0; t < 5; t++) {
            Tensor xt = Tensor.zeros(2, 1, 24);
            for (int bi = 0; bi < 2; bi++) for (int c = 0; c < 24; c++) xt.setFloat(bi * 24 + c, x.getFloat((bi * 5 + t) * 24 + c));
            Tensor yt = CpuOps.conv1dStep(xt, state, cw, cb);
            assertArrayEquals(new long[] {2, 1, 24}, yt.shape());
            for (int bi = 0; bi < 2; bi++) for (int c = 0; c < 24; c++) {
                assertEquals(seq.getFloat((bi * 5 + t) * 24 + c), yt.getFloat(bi * 24 + c), 0f);
            }
        }
        // embedding with a bf16 table; bad ids are user errors
        Tensor table = randn(10, 6).to(DType.BF16);
        Tensor ids = Tensor.ofLongs(new long[] {9, 0, 4, 4}, 2, 2);
        Tensor emb = CpuOps.embedding(ids, table);
        assertArrayEquals(new long[] {2, 2, 6}, emb.shape());
        for (int j = 0; j < 6; j++) assertEquals(table.getFloat(9 * 6 + j), emb.getFloat(j), 0f);
        UserError e = assertThrows(UserError.class, () -> CpuOps.embedding(Tensor.ofLongs(new long[] {3, 10}, 1, 2), table));
        assertTrue(e.getMessage().contains("token id 10") && e.getMessage().contains("[0, 10)"), e.getMessage());
        // heads
        Tensor heads = CpuOps.toHeads(x, 3);
        assertArrayEquals(new long[] {2, 3, 5, 8}, heads.shape());
        assertEquals(x.getFloat((1 * 5 + 2) * 24 + 2 * 8 + 5), heads.getFloat(((1 * 3 + 2) * 5 + 2) * 8 + 5));
        Tensor back = CpuOps.fromHeads(heads);
        assertArrayEquals(new long[] {2, 5, 24}, back.shape());
        assertArrayEquals(x.toFloatArray(), back.toFloatArray());
        Tensor gates = randn(2, 5, 3, 1);
        Tensor sw = CpuOps.swap12(gates);
        assertArrayEquals(new long[] {2, 3, 5, 1}, sw.shape());
        assertEquals(gates.getFloat((1 * 5 + 4) * 3 + 2), sw.getFloat((1 * 3 + 2) * 5 + 4));
        Tensor cat = CpuOps.concatLast(randn(2, 3), randn(2, 4));
        assertArrayEquals(new long[] {2, 7}, cat.shape());
        Tensor s = CpuOps.add(x, x);
        assertEquals(2 * x.getFloat(17), s.getFloat(17), 0f);
        CpuOps.addInPlace(s, x);
        assertEquals(3 * x.getFloat(17), s.getFloat(17), 1e-6);
        assertEquals(x.getFloat(3) * x.getFloat(3), CpuOps.mul(x, x).getFloat(3), 0f);
        long[] am = CpuOps.argmaxLast(Tensor.of(new float[] {1, 3, 2, 9, 0, 9}, 2, 3));
        assertArrayEquals(new long[] {1, 0}, am);
    }
}
