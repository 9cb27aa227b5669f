package xlstm.golden;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import xlstm.runtime.verify.CaseResult;
import xlstm.training.verify.GradientCheck;

/** The training backward passes against every fixture's reference gradients ({@code grads.safetensors}). */
class GoldenGradientsTest {
    /** The public fixtures with reference gradients; more may be added, none may go missing. */
    static final List<String> CASES_WITH_GRADIENTS = List.of("block_stack_mixed", "block_stack_mlstm",
            "lm_model_small", "mlstm_cell_basic", "mlstm_cell_state", "xlstm_large_small");

    static List<Path> cases() throws URISyntaxException {
        return GoldenParityTest.cases().stream().filter(GradientCheck::applies).toList();
    }

    @Test
    void everyPublicCaseWithGradientsIsPresent() throws URISyntaxException {
        List<String> names = cases().stream().map(p -> p.getFileName().toString()).toList();
        assertTrue(names.containsAll(CASES_WITH_GRADIENTS), "fixture folders with gradients: " + names);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradientsMatchTheReference(Path dir) {
        CaseResult r = GradientCheck.verify(dir);
        String report = String.join("\n", r.lines());
        System.out.println(report);
        if (r.error() != null) throw new AssertionError(dir.getFileName() + " stopped:\n" + report, r.error());
        if (!r.passed()) {
            List<String> failed = r.lines().stream().filter(l -> l.startsWith("FAIL")).toList();
            fail(failed.size() + " gradient check(s) failed in " + r.name() + ":\n" + String.join("\n", failed));
        }
    }
}
