package xlstm.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import xlstm.runtime.backend.JavaKernels;
import xlstm.runtime.verify.CaseResult;
import xlstm.runtime.verify.FixtureVerifier;

/**
 * Parity with the PyTorch reference: every fixture folder under the test resources' {@code golden/} (a verbatim
 * copy of the shared fixtures) runs through {@link FixtureVerifier} on the Java (cpu) backend, exactly as
 * {@code xlstm verify} runs it, and must pass every check.
 */
class GoldenParityTest {
    /** The public fixtures of golden/README.md; more may be added, none may go missing. */
    static final List<String> PUBLIC_CASES = List.of("block_stack_mixed", "block_stack_mlstm", "hf_xlstm_bf16",
            "hf_xlstm_small", "lm_model_small", "mlstm_cell_basic", "mlstm_cell_state", "mlstm_siging_cell",
            "xlstm_large_small");

    static Path goldenRoot() throws URISyntaxException {
        URL url = GoldenParityTest.class.getResource("/golden");
        if (url == null) throw new IllegalStateException("test resource /golden is missing");
        return Path.of(url.toURI());
    }

    static List<Path> cases() throws URISyntaxException {
        return FixtureVerifier.caseDirs(List.of(goldenRoot()), skipped -> {});
    }

    @Test
    void everyPublicCaseIsPresent() throws URISyntaxException {
        List<String> names = new ArrayList<>();
        for (Path p : cases()) names.add(p.getFileName().toString());
        assertTrue(names.containsAll(PUBLIC_CASES), "fixture folders found: " + names);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesTheReference(Path dir) {
        check(new FixtureVerifier(JavaKernels.INSTANCE), dir);
    }

    /** Runs the fixture {@code dir} with {@code verifier}: every check must pass, and the case name must be the folder's. */
    static void check(FixtureVerifier verifier, Path dir) {
        CaseResult r = verifier.verify(dir);
        String report = String.join("\n", r.lines());
        System.out.println(report);
        if (r.error() != null) throw new AssertionError(dir.getFileName() + " stopped:\n" + report, r.error());
        if (!r.passed()) {
            List<String> failed = r.lines().stream().filter(l -> l.startsWith("FAIL")).toList();
            fail(failed.size() + " check(s) failed in " + r.name() + ":\n" + String.join("\n", failed));
        }
        assertEquals(dir.getFileName().toString(), r.name(), "case.json name vs folder name");
    }
}
