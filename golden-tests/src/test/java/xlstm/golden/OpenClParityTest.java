package xlstm.golden;

import static org.junit.jupiter.api.Assertions.fail;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import xlstm.runtime.backend.KernelBackend;
import xlstm.runtime.backend.KernelBackends;
import xlstm.runtime.verify.FixtureVerifier;

/**
 * The golden suite again, with the cells and pointwise kernels on the {@code opencl} backend (the generated OpenCL C
 * kernels; in CI on PoCL's CPU device): every fixture must pass as on the Java backend, with the same tolerances.
 *
 * <p>Without a usable OpenCL backend (no ICD loader, no platform or device, or a build without OpenCL kernels) the
 * tests are skipped with the reason, printed and in the skip message; with {@code XLSTM_REQUIRE_TOOLCHAINS=1} (CI)
 * they fail instead, so the suite never passes silently without having run.
 */
class OpenClParityTest {
    static boolean announced;
    KernelBackend opencl;

    /** Per test, so that each one is reported as skipped (or failed) on its own, never as not run. */
    @BeforeEach
    void requireOpenCl() {
        KernelBackends.Status s = KernelBackends.status("opencl");
        if (!s.available()) {
            String why = "OpenCL backend unavailable: " + s.device().reason();
            if ("1".equals(System.getenv("XLSTM_REQUIRE_TOOLCHAINS"))) {
                fail("XLSTM_REQUIRE_TOOLCHAINS=1 but the golden suite cannot run on OpenCL: " + why);
            }
            System.err.println("SKIPPED OpenClParityTest (golden suite on --backend opencl): " + why
                    + " (set XLSTM_REQUIRE_TOOLCHAINS=1 to make this a failure)");
            Assumptions.abort("golden suite on OpenCL skipped: " + why);
        }
        opencl = KernelBackends.get("opencl");
        if (!announced) {
            announced = true;
            System.out.println("golden suite on " + opencl.name() + ": " + opencl.device());
        }
    }

    static List<Path> cases() throws URISyntaxException {
        return GoldenParityTest.cases();
    }

    @ParameterizedTest(name = "{0} on opencl")
    @MethodSource("cases")
    void matchesTheReferenceOnOpenCl(Path dir) {
        GoldenParityTest.check(new FixtureVerifier(opencl), dir);
    }
}
