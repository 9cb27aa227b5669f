package xlstm.runtime.backend;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every {@link KernelBackend} entry point on OpenCL against the Java kernels, through the same {@link KernelCheck} the
 * CUDA and HIP tests and the GPU script use (every schedule incl. step calls, mLSTMsig without normalisation, slstm
 * and lstm, every activation, odd sizes). Skipped with the reason when OpenCL is unavailable; a failure instead when
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
}
