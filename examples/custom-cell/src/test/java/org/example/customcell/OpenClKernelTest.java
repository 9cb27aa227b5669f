package org.example.customcell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.example.customcell.kernels.MlstmCifgCell;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import xlstm.codegen.interp.Interpreter;
import xlstm.runtime.backend.KernelIndex;
import xlstm.runtime.backend.OpenClLauncher;
import xlstm.runtime.model.MlstmCellKernel;

/**
 * (d) The cell's generated OpenCL C kernels EXECUTED: {@code mlstm_cifg_sequence} and {@code mlstm_cifg_step}, from
 * this build's resources ({@code org/example/customcell/kernels/opencl/}, where the plugin put them for the
 * configured {@code javaPackage}), run through the runtime's {@link OpenClLauncher} on the first OpenCL device
 * (PoCL's CPU device in CI), with exactly the arguments of {@code MlstmCifgCell.sequence} / {@code step}; compared
 * with the compiler's float64 interpreter and with the generated Java kernel, and run inside the block stack.
 *
 * <p>Without OpenCL the tests are reported as skipped with the reason; with {@code XLSTM_REQUIRE_TOOLCHAINS=1}
 * (CI) they fail instead.
 */
class OpenClKernelTest {
    static final String FOLDER = KernelSourcesTest.PACKAGE.replace('.', '/') + "/opencl";
    static final double ATOL = 2e-5, RTOL = 1e-4;

    private static boolean reported;

    OpenClLauncher cl;

    /** Per test, so that each one is reported as skipped (or failed) on its own. */
    @BeforeEach
    void requireOpenCl() {
        String why = OpenClLauncher.unavailableReason(FOLDER);
        if (why != null) {
            if ("1".equals(System.getenv("XLSTM_REQUIRE_TOOLCHAINS"))) fail("XLSTM_REQUIRE_TOOLCHAINS=1 but OpenCL is unavailable: " + why);
            if (!reported) System.err.println("SKIPPED OpenClKernelTest: OpenCL is unavailable: " + why);
            reported = true;
            Assumptions.abort("OpenCL is unavailable: " + why);
        }
        cl = OpenClLauncher.forFolder(FOLDER);
    }

    @Test
    void theIndexListsTheCellsSchedules() {
        KernelIndex index = cl.index();
        assertEquals(FOLDER, index.folder());
        assertEquals(List.of("mlstm_cifg_step", "mlstm_cifg_sequence"),
                index.entries().stream().map(KernelIndex.Entry::entry).toList());
        System.out.println("[custom-cell] opencl: " + cl);
    }

    @ParameterizedTest(name = "B{0} NH{1} S{2} DQK{3} DV{4} step={5}")
    @CsvSource({"1, 1, 1, 5, 7, false", "2, 3, 17, 5, 7, false", "1, 2, 40, 16, 24, false", "2, 1, 21, 33, 65, false",
            "2, 3, 17, 5, 7, true", "1, 2, 12, 16, 24, true"})
    void matchesTheInterpreterAndTheJavaKernel(int B, int NH, int S, int DQK, int DV, boolean step) {
        double eps = MlstmCifgCell.DEFAULT_EPS;
        Random r = new Random(23L * S + 37L * DQK + B);
        Map<String, double[]> t = new HashMap<>();
        t.put("q", GeneratedKernelTest.gauss(r, B * NH * S * DQK, 1, 0));
        t.put("k", GeneratedKernelTest.gauss(r, B * NH * S * DQK, 1, 0));
        t.put("v", GeneratedKernelTest.gauss(r, B * NH * S * DV, 1, 0));
        t.put("i", GeneratedKernelTest.gauss(r, B * NH * S, 2, 0));
        t.put("f", GeneratedKernelTest.gauss(r, B * NH * S, 2, 1.5));
        t.put("C", GeneratedKernelTest.gauss(r, B * NH * DQK * DV, 0.5, 0));
        t.put("n", GeneratedKernelTest.gauss(r, B * NH * DQK, 0.5, 0));
        t.put("m", GeneratedKernelTest.gauss(r, B * NH, 0.5, 0));
        t.put("h", new double[B * NH * S * DV]);
        Map<String, double[]> ref = new HashMap<>();
        t.forEach((k, v) -> ref.put(k, v.clone()));
        Interpreter.sequence(Reference.cell("mlstm_cifg"), B, NH, S, Reference.call(DQK, DV, eps), ref);

        Map<String, double[]> onCl = run(t, B, NH, S, DQK, DV, (float) eps, step, true);
        Map<String, double[]> onJava = run(t, B, NH, S, DQK, DV, (float) eps, step, false);
        for (String x : new String[] {"h", "C", "n", "m"}) {
            double vsRef = Reference.assertClose(x + " (opencl vs interpreter)", onCl.get(x), ref.get(x), ATOL, RTOL);
            double vsJava = Reference.assertClose(x + " (opencl vs java)", onCl.get(x), onJava.get(x), ATOL, RTOL);
            if (x.equals("h")) {
                System.out.printf("[custom-cell] opencl mlstm_cifg_%s B%d NH%d S%d DQK%d DV%d: max|h - h_interpreter| = %.3e,"
                        + " max|h - h_java| = %.3e%n", step ? "step" : "sequence", B, NH, S, DQK, DV, vsRef, vsJava);
            }
        }
    }

    /** The sequence (or S steps), on OpenCL or with the generated Java kernel, from the initial states of {@code t}. */
    Map<String, double[]> run(Map<String, double[]> t, int B, int NH, int S, int DQK, int DV, float eps, boolean step,
            boolean openCl) {
        int rows = B * NH;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment c = Reference.seg(a, t.get("C")), n = Reference.seg(a, t.get("n")), m = Reference.seg(a, t.get("m"));
            double[] h;
            if (!step) {
                MemorySegment q = Reference.seg(a, t.get("q")), k = Reference.seg(a, t.get("k")), v = Reference.seg(a, t.get("v"));
                MemorySegment i = Reference.seg(a, t.get("i")), f = Reference.seg(a, t.get("f"));
                MemorySegment hs = a.allocate(4L * rows * S * DV, 64);
                if (openCl) cl.call("mlstm_cifg_sequence", B, NH, S, DQK, DV, q, k, v, i, f, c, n, m, hs, eps);
                else MlstmCifgCell.sequence(B, NH, S, DQK, DV, q, k, v, i, f, c, n, m, hs, eps);
                h = Reference.read(hs, rows * S * DV);
            } else {
                h = new double[rows * S * DV];
                MemorySegment hs = a.allocate(4L * rows * DV, 64);
                for (int s = 0; s < S; s++) {
                    MemorySegment q = Reference.seg(a, GeneratedKernelTest.at(t.get("q"), rows, S, DQK, s));
                    MemorySegment k = Reference.seg(a, GeneratedKernelTest.at(t.get("k"), rows, S, DQK, s));
                    MemorySegment v = Reference.seg(a, GeneratedKernelTest.at(t.get("v"), rows, S, DV, s));
                    MemorySegment i = Reference.seg(a, GeneratedKernelTest.at(t.get("i"), rows, S, 1, s));
                    MemorySegment f = Reference.seg(a, GeneratedKernelTest.at(t.get("f"), rows, S, 1, s));
                    if (openCl) cl.call("mlstm_cifg_step", B, NH, DQK, DV, q, k, v, i, f, c, n, m, hs, eps);
                    else MlstmCifgCell.step(B, NH, DQK, DV, q, k, v, i, f, c, n, m, hs, eps);
                    double[] hsd = Reference.read(hs, rows * DV);
                    for (int bh = 0; bh < rows; bh++) System.arraycopy(hsd, bh * DV, h, (bh * S + s) * DV, DV);
                }
            }
            return Map.of("h", h, "C", Reference.read(c, rows * DQK * DV), "n", Reference.read(n, rows * DQK),
                    "m", Reference.read(m, rows));
        }
    }

    /** The block stack of {@link CustomCellStackTest} with the cell's OpenCL kernels equals the one with its Java kernels. */
    @Test
    void theStackRunsTheCellOnOpenCl() {
        double[] onCl = CustomCellStackTest.d(CustomCellStackTest.stack(new OpenClCifg(cl)).forward(CustomCellStackTest.input()));
        double[] onJava = CustomCellStackTest.d(CustomCellStackTest.stack(new CifgMlstm()).forward(CustomCellStackTest.input()));
        double err = Reference.assertClose("y (opencl cell vs java cell)", onCl, onJava, 1e-4, 1e-4);
        System.out.printf("[custom-cell] block stack, mlstm_cifg on OpenCL: max|y - y_java| = %.3e%n", err);
    }

    /** {@link CifgMlstm} with the generated OpenCL kernels instead of the Java ones: same arguments, same contract. */
    record OpenClCifg(OpenClLauncher cl) implements MlstmCellKernel {
        @Override
        public void forward(int b, int nh, int s, int dqk, int dv, MemorySegment q, MemorySegment k, MemorySegment v,
                            MemorySegment i, MemorySegment f, MemorySegment c, MemorySegment n, MemorySegment m,
                            MemorySegment h) {
            cl.call("mlstm_cifg_sequence", b, nh, s, dqk, dv, q, k, v, i, f, c, n, m, h, MlstmCifgCell.DEFAULT_EPS);
        }

        @Override
        public void step(int b, int nh, int dqk, int dv, MemorySegment q, MemorySegment k, MemorySegment v,
                         MemorySegment i, MemorySegment f, MemorySegment c, MemorySegment n, MemorySegment m,
                         MemorySegment h) {
            cl.call("mlstm_cifg_step", b, nh, dqk, dv, q, k, v, i, f, c, n, m, h, MlstmCifgCell.DEFAULT_EPS);
        }
    }
}
