package xlstm.runtime.backend;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every {@link KernelBackend} entry point on OpenCL against the Java kernels, through the same {@link KernelCheck} the
 * CUDA and HIP tests and the GPU script use (every schedule incl. step calls, mLSTMsig without normalisation, slstm
 * and lstm, every activation, odd sizes), and the tiled chunkwise kernel of the device-resident model. Skipped with the reason when OpenCL is unavailable; a failure instead when
 * {@code XLSTM_REQUIRE_TOOLCHAINS=1}.
 */
class OpenClKernelsTest {
    KernelBackend cl;

    /** Per test, so that each one is reported as skipped (or failed) on its own, never as not run. */
    @BeforeEach
    void requireOpenCl() {
        KernelBackends.Status s = KernelBackends.status("opencl");
        if (!s.available()) {
            String why = "OpenCL backend unavailable: " + s.device().reason();
            if ("1".equals(System.getenv("XLSTM_REQUIRE_TOOLCHAINS"))) fail("XLSTM_REQUIRE_TOOLCHAINS=1 but " + why);
            System.err.println("SKIPPED OpenClKernelsTest: " + why);
            Assumptions.abort(why);
        }
        cl = KernelBackends.get("opencl");
    }

    @Test
    void everyKernelMatchesJava() {
        List<KernelCheck.Result> rs = KernelCheck.compare(JavaKernels.INSTANCE, cl);
        String failed = rs.stream().filter(r -> !r.passed()).map(KernelCheck.Result::line).collect(Collectors.joining("\n"));
        assertTrue(failed.isEmpty(), failed);
        assertTrue(rs.size() > 100, rs.size() + " checks");
    }

    /**
     * The tiled chunkwise kernel ({@code mlstm_chunkwise_tiled}, what the device-resident CUDA model runs; not on the
     * backend interface) against the Java chunkwise kernel: several tiles per head, a partial last tile, several
     * chunks and a partial last one, non-zero initial states, the initial n and m passed as the separate inputs the
     * tiles read.
     */
    @ParameterizedTest(name = "tiled chunkwise B={0} NH={1} S={2} DQK={3} DV={4} chunk={5}")
    @CsvSource({"1, 3, 130, 64, 96, 64", "2, 2, 70, 16, 200, 32", "1, 1, 1, 8, 130, 64"})
    void matchesTheJavaChunkwiseKernel(int b, int nh, int s, int dqk, int dv, int chunk) {
        SplittableRandom rnd = new SplittableRandom(5);
        try (Arena a = Arena.ofConfined()) {
            long rows = (long) b * nh * s;
            MemorySegment q = random(a, rows * dqk, rnd), k = random(a, rows * dqk, rnd), v = random(a, rows * dv, rnd);
            MemorySegment ig = random(a, rows, rnd), fg = random(a, rows, rnd);
            MemorySegment c0 = random(a, (long) b * nh * dqk * dv, rnd), n0 = random(a, (long) b * nh * dqk, rnd);
            MemorySegment m0 = random(a, (long) b * nh, rnd);
            MemorySegment cJ = copy(a, c0), nJ = copy(a, n0), mJ = copy(a, m0), hJ = a.allocate(4 * rows * dv);
            JavaKernels.INSTANCE.mlstmChunkwise(b, nh, s, dqk, dv, chunk, q, k, v, ig, fg, cJ, nJ, mJ, hJ, 1e-6f);
            MemorySegment cT = copy(a, c0), nT = copy(a, n0), mT = copy(a, m0), hT = a.allocate(4 * rows * dv);
            ((OpenClKernels) cl).call("mlstm_chunkwise_tiled", b, nh, s, dqk, dv, chunk, q, k, v, ig, fg, cT, nT, mT, copy(a, n0),
                    copy(a, m0), hT, 1e-6f);
            for (String[] pair : new String[][] {{"h"}, {"C"}, {"n"}, {"m"}}) {
                MemorySegment want = switch (pair[0]) { case "h" -> hJ; case "C" -> cJ; case "n" -> nJ; default -> mJ; };
                MemorySegment got = switch (pair[0]) { case "h" -> hT; case "C" -> cT; case "n" -> nT; default -> mT; };
                double maxRef = 0, maxErr = 0;
                for (long i = 0; i < want.byteSize() / 4; i++) {
                    float w = want.getAtIndex(ValueLayout.JAVA_FLOAT, i), g = got.getAtIndex(ValueLayout.JAVA_FLOAT, i);
                    maxRef = Math.max(maxRef, Math.abs(w));
                    maxErr = Math.max(maxErr, Math.abs(w - g));
                }
                assertTrue(maxErr <= 1e-5 + 2e-4 * maxRef, pair[0] + ": max err " + maxErr + " of max |ref| " + maxRef);
            }
        }
    }

    /**
     * The tiled decode step ({@code mlstm_step_tiled}, what the device-resident CUDA model runs for S = 1) against the
     * Java step kernel: several 32-column tiles per head and a partial last one, non-zero initial states, the initial
     * n and m passed as the separate inputs the tiles read; and as the model calls it, step after step.
     */
    @ParameterizedTest(name = "tiled step B={0} NH={1} DQK={2} DV={3}")
    @CsvSource({"1, 3, 64, 96", "2, 2, 16, 200", "3, 1, 8, 33"})
    void theTiledStepMatchesTheJavaStepKernel(int b, int nh, int dqk, int dv) {
        SplittableRandom rnd = new SplittableRandom(9);
        try (Arena a = Arena.ofConfined()) {
            long rows = (long) b * nh;
            MemorySegment c0 = random(a, rows * dqk * dv, rnd), n0 = random(a, rows * dqk, rnd), m0 = random(a, rows, rnd);
            MemorySegment cJ = copy(a, c0), nJ = copy(a, n0), mJ = copy(a, m0), cT = copy(a, c0), nT = copy(a, n0), mT = copy(a, m0);
            for (int step = 0; step < 3; step++) {
                MemorySegment q = random(a, rows * dqk, rnd), k = random(a, rows * dqk, rnd), v = random(a, rows * dv, rnd);
                MemorySegment ig = random(a, rows, rnd), fg = random(a, rows, rnd);
                MemorySegment hJ = a.allocate(4 * rows * dv), hT = a.allocate(4 * rows * dv);
                JavaKernels.INSTANCE.mlstmStep(b, nh, dqk, dv, q, k, v, ig, fg, cJ, nJ, mJ, hJ, 1e-6f);
                ((OpenClKernels) cl).call("mlstm_step_tiled", b, nh, dqk, dv, q, k, v, ig, fg, cT, nT, mT, copy(a, nT),
                        copy(a, mT), hT, 1e-6f);
                for (String name : new String[] {"h", "C", "n", "m"}) {
                    MemorySegment want = switch (name) { case "h" -> hJ; case "C" -> cJ; case "n" -> nJ; default -> mJ; };
                    MemorySegment got = switch (name) { case "h" -> hT; case "C" -> cT; case "n" -> nT; default -> mT; };
                    double maxRef = 0, maxErr = 0;
                    for (long i = 0; i < want.byteSize() / 4; i++) {
                        float w = want.getAtIndex(ValueLayout.JAVA_FLOAT, i), g = got.getAtIndex(ValueLayout.JAVA_FLOAT, i);
                        maxRef = Math.max(maxRef, Math.abs(w));
                        maxErr = Math.max(maxErr, Math.abs(w - g));
                    }
                    assertTrue(maxErr <= 1e-5 + 2e-4 * maxRef, "step " + step + " " + name + ": max err " + maxErr
                            + " of max |ref| " + maxRef);
                }
            }
        }
    }

    private static MemorySegment random(Arena a, long n, SplittableRandom rnd) {
        MemorySegment m = a.allocate(4 * n);
        for (long i = 0; i < n; i++) m.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (rnd.nextDouble() * 2 - 1));
        return m;
    }

    private static MemorySegment copy(Arena a, MemorySegment src) {
        return a.allocate(src.byteSize()).copyFrom(src);
    }
}
