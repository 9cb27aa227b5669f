package org.example.customcell;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.example.customcell.kernels.MlstmCifgCell;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import xlstm.backends.cpu.KernelMode;
import xlstm.codegen.interp.Interpreter;
import xlstm.dsl.ir.CellIR;

/**
 * (a) The generated Java kernel of {@code mlstm_cifg} (its Vector API body and its scalar twin; the {@code sequence}
 * schedule and the {@code step} one in a loop) against the compiler's float64 interpreter of the same DSL, on random
 * inputs and random initial states, on shapes whose head dims are not multiples of the vector width.
 */
class GeneratedKernelTest {
    static final double ATOL = 1e-5, RTOL = 1e-4;

    @ParameterizedTest(name = "B{0} NH{1} S{2} DQK{3} DV{4} scalar={5} step={6}")
    @CsvSource({
            "1, 1, 1, 5, 7, false, false", "2, 3, 17, 5, 7, false, false", "2, 3, 17, 5, 7, true, false",
            "1, 2, 40, 16, 24, false, false", "1, 2, 40, 16, 24, true, false", "2, 1, 21, 33, 65, false, false",
            "2, 3, 17, 5, 7, false, true", "2, 3, 17, 5, 7, true, true", "1, 2, 12, 16, 24, false, true"})
    void matchesTheInterpreter(int B, int NH, int S, int DQK, int DV, boolean scalar, boolean step) {
        CellIR cell = Reference.cell("mlstm_cifg");
        double eps = MlstmCifgCell.DEFAULT_EPS;
        Interpreter.Call call = Reference.call(DQK, DV, eps);
        Random r = new Random(17L * S + 31L * DQK + B);
        Map<String, double[]> t = new HashMap<>();
        t.put("q", gauss(r, B * NH * S * DQK, 1, 0));
        t.put("k", gauss(r, B * NH * S * DQK, 1, 0));
        t.put("v", gauss(r, B * NH * S * DV, 1, 0));
        t.put("i", gauss(r, B * NH * S, 2, 0));
        t.put("f", gauss(r, B * NH * S, 2, 1.5));
        t.put("C", gauss(r, B * NH * DQK * DV, 0.5, 0));
        t.put("n", gauss(r, B * NH * DQK, 0.5, 0));
        t.put("m", gauss(r, B * NH, 0.5, 0));
        t.put("h", new double[B * NH * S * DV]);
        Map<String, double[]> ref = new HashMap<>();
        t.forEach((k, v) -> ref.put(k, v.clone()));
        Interpreter.sequence(cell, B, NH, S, call, ref);

        boolean was = KernelMode.scalar();
        KernelMode.forceScalar(scalar);
        try (Arena a = Arena.ofShared()) {
            MemorySegment c = Reference.seg(a, t.get("C")), n = Reference.seg(a, t.get("n")), m = Reference.seg(a, t.get("m"));
            double[] h;
            if (!step) {
                MemorySegment hs = a.allocate(4L * B * NH * S * DV, 64);
                MlstmCifgCell.sequence(B, NH, S, DQK, DV, Reference.seg(a, t.get("q")), Reference.seg(a, t.get("k")),
                        Reference.seg(a, t.get("v")), Reference.seg(a, t.get("i")), Reference.seg(a, t.get("f")), c, n, m, hs,
                        (float) eps);
                h = Reference.read(hs, B * NH * S * DV);
            } else {
                h = new double[B * NH * S * DV];
                MemorySegment hs = a.allocate(4L * B * NH * DV, 64);
                for (int s = 0; s < S; s++) {
                    MlstmCifgCell.step(B, NH, DQK, DV, Reference.seg(a, at(t.get("q"), B * NH, S, DQK, s)),
                            Reference.seg(a, at(t.get("k"), B * NH, S, DQK, s)), Reference.seg(a, at(t.get("v"), B * NH, S, DV, s)),
                            Reference.seg(a, at(t.get("i"), B * NH, S, 1, s)), Reference.seg(a, at(t.get("f"), B * NH, S, 1, s)),
                            c, n, m, hs, (float) eps);
                    double[] hsd = Reference.read(hs, B * NH * DV);
                    for (int bh = 0; bh < B * NH; bh++) System.arraycopy(hsd, bh * DV, h, (bh * S + s) * DV, DV);
                }
            }
            Reference.assertClose("h", h, ref.get("h"), ATOL, RTOL);
            Reference.assertClose("C", Reference.read(c, B * NH * DQK * DV), ref.get("C"), ATOL, RTOL);
            Reference.assertClose("n", Reference.read(n, B * NH * DQK), ref.get("n"), ATOL, RTOL);
            Reference.assertClose("m", Reference.read(m, B * NH), ref.get("m"), ATOL, RTOL);
        } finally {
            KernelMode.forceScalar(was);
        }
    }

    /** Gaussian values rounded to float32, so that the reference sees exactly what the kernel sees. */
    static double[] gauss(Random r, int n, double scale, double shift) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextGaussian() * scale + shift);
        return a;
    }

    /** Time step s of a (rows, S, d) array. */
    static double[] at(double[] x, int rows, int S, int d, int s) {
        double[] out = new double[rows * d];
        for (int r = 0; r < rows; r++) System.arraycopy(x, (r * S + s) * d, out, r * d, d);
        return out;
    }
}
