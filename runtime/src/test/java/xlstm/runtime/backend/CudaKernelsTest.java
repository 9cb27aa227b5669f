package xlstm.runtime.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every {@link KernelBackend} entry point on CUDA against the Java kernels ({@link KernelCheck}). Skipped with the
 * reason without a usable GPU (CI); a failure instead when {@code XLSTM_REQUIRE_CUDA=1}.
 */
class CudaKernelsTest {
    KernelBackend cuda;

    @BeforeEach
    void requireCuda() {
        KernelBackends.Status s = KernelBackends.status("cuda");
        if (!s.available()) {
            String why = "CUDA backend unavailable: " + s.device().reason();
            if ("1".equals(System.getenv("XLSTM_REQUIRE_CUDA"))) fail("XLSTM_REQUIRE_CUDA=1 but " + why);
            System.err.println("SKIPPED CudaKernelsTest: " + why);
            Assumptions.abort(why);
        }
        cuda = KernelBackends.get("cuda");
    }

    @Test
    void everyKernelMatchesJava() {
        List<KernelCheck.Result> rs = KernelCheck.compare(JavaKernels.INSTANCE, cuda);
        String failed = rs.stream().filter(r -> !r.passed()).map(KernelCheck.Result::line).collect(Collectors.joining("\n"));
        assertTrue(failed.isEmpty(), failed);
        assertTrue(rs.size() > 100, rs.size() + " checks");
    }

    @Test
    void autoPicksCudaWhenItIsUsable() {
        assertEquals("cuda", KernelBackends.choose("auto").backend().name());
        assertTrue(cuda.device().contains("sm_"), cuda.device());
    }
}
