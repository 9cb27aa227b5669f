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
 * The golden suite with the cells and pointwise kernels on the {@code cuda} backend (the generated CUDA kernels,
 * compiled by NVRTC): every fixture must pass as on the Java backend, with the same tolerances.
 *
 * <p>Without a usable GPU (no libcuda, no device, no NVRTC: CI) the tests are skipped with the reason; with
 * {@code XLSTM_REQUIRE_CUDA=1} they fail instead. On the GPU machine, which has no Maven, {@code scripts/gpu-check.sh}
 * runs the same fixtures through {@code xlstm verify --backend cuda}.
 */
class CudaParityTest {
    static boolean announced;
    KernelBackend cuda;

    @BeforeEach
    void requireCuda() {
        KernelBackends.Status s = KernelBackends.status("cuda");
        if (!s.available()) {
            String why = "CUDA backend unavailable: " + s.device().reason();
            if ("1".equals(System.getenv("XLSTM_REQUIRE_CUDA"))) {
                fail("XLSTM_REQUIRE_CUDA=1 but the golden suite cannot run on CUDA: " + why);
            }
            Assumptions.abort("golden suite on CUDA skipped: " + why);
        }
        cuda = KernelBackends.get("cuda");
        if (!announced) {
            announced = true;
            System.out.println("golden suite on " + cuda.name() + ": " + cuda.device());
        }
    }

    static List<Path> cases() throws URISyntaxException {
        return GoldenParityTest.cases();
    }

    @ParameterizedTest(name = "{0} on cuda")
    @MethodSource("cases")
    void matchesTheReferenceOnCuda(Path dir) {
        GoldenParityTest.check(new FixtureVerifier(cuda), dir);
    }
}
