package xlstm.runtime.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class KernelCheckTest {
    /** The Java kernels against themselves: every check runs, and agrees exactly. */
    @Test
    void javaAgainstItselfIsExact() {
        List<KernelCheck.Result> rs = KernelCheck.compare(JavaKernels.INSTANCE, JavaKernels.INSTANCE);
        assertTrue(rs.size() > 100, rs.size() + " checks");
        for (KernelCheck.Result r : rs) assertEquals(0.0, r.maxErr(), r.line());
        assertTrue(rs.stream().anyMatch(r -> r.what().startsWith("slstm step")));
        assertTrue(rs.stream().anyMatch(r -> r.what().contains("(big heads)")));
    }

    @Test
    void theToleranceIsTheTestSuites() {
        assertTrue(new KernelCheck.Result("x", 1e-5 + 2e-4 * 3, 3).passed());
        assertFalse(new KernelCheck.Result("x", 1.1e-5 + 2e-4 * 3, 3).passed());
        assertFalse(new KernelCheck.Result("x", Double.NaN, 3).passed());
        assertTrue(new KernelCheck.Result("y", 0, 1).line().startsWith("PASS y max_abs_err=0.000e+00"));
    }
}
