package xlstm.runtime.verify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xlstm.runtime.UserError;
import xlstm.runtime.config.ConfigNode;
import xlstm.runtime.tensor.Tensor;

/** The comparison rule, the chunk sizes, the folder expansion and the HF end-of-sequence rule of the verifier. */
class VerifyUnitTest {
    @TempDir Path tmp;

    private static final Tolerance TOL = new Tolerance(1e-3, 1e-5);

    @Test
    void toleranceIsAtolPlusRtolTimesTheLargestReference() {
        Tensor ref = Tensor.of(new float[] {1, -4, 2}, 3);
        double limit = 1e-5 + 1e-3 * 4;
        Check ok = Compare.tensors("c", "x", Tensor.of(new float[] {1, -4 + 0.004f, 2}, 3), ref, TOL);
        assertEquals(limit, ok.tol(), 1e-12);
        assertTrue(ok.passed(), ok.line());
        Check bad = Compare.tensors("c", "x", Tensor.of(new float[] {1, -4, 2.0045f}, 3), ref, TOL);
        assertFalse(bad.passed(), bad.line());
        assertTrue(bad.line().startsWith("FAIL c x max_abs_err=4.500e-03 tol=4.010e-03"), bad.line());
        assertTrue(bad.line().contains("worst at [2]"), bad.line());
    }

    @Test
    void nanAndShapeMismatchFail() {
        Tensor ref = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        assertFalse(Compare.tensors("c", "x", Tensor.of(new float[] {1, Float.NaN, 3, 4}, 2, 2), ref, TOL).passed());
        Check shape = Compare.tensors("c", "x", Tensor.of(new float[] {1, 2, 3, 4}, 4), ref, TOL);
        assertFalse(shape.passed(), shape.line());
        assertTrue(shape.line().contains("shape [4] but the reference is [2, 2]"), shape.line());
        // dimensions of size 1 do not matter: m is (B,NH) in the kernels and (B,NH,1) in the fixtures
        assertTrue(Compare.tensors("c", "m", Tensor.of(new float[] {1, 2}, 1, 2), Tensor.of(new float[] {1, 2}, 1, 2, 1), TOL).passed());
    }

    @Test
    void tokensMustMatchExactly() {
        assertTrue(Compare.tokens("c", "gen", new long[] {1, 2, 3}, new long[] {1, 2, 3}).passed());
        Check c = Compare.tokens("c", "gen", new long[] {1, 5, 3}, new long[] {1, 2, 3});
        assertFalse(c.passed());
        assertTrue(c.line().contains("first difference at position 1"), c.line());
        assertFalse(Compare.tokens("c", "gen", new long[] {1, 2}, new long[] {1, 2, 3}).passed());
    }

    @Test
    void chunkSizesAlwaysExerciseATail() {
        ConfigNode none = ConfigNode.of(null);
        assertEquals(List.of(16), CellCases.chunkSizes(37, none));
        assertEquals(List.of(16, 15), CellCases.chunkSizes(32, none));
        assertEquals(List.of(16, 14), CellCases.chunkSizes(240, none));
        assertEquals(List.of(16), CellCases.chunkSizes(5, none));
        ConfigNode own = ConfigNode.of(new ObjectMapper().createObjectNode().put("chunk_size", 64));
        assertEquals(List.of(16, 15, 64), CellCases.chunkSizes(32, own));
        for (int s = 1; s < 300; s++) {
            int len = s;
            assertTrue(CellCases.chunkSizes(s, none).stream().anyMatch(c -> len % c != 0 || c > len), "S=" + s);
        }
    }

    @Test
    void caseFoldersAreExpandedAndFilesSkipped() throws IOException {
        Path a = Files.createDirectories(tmp.resolve("all/a"));
        Path b = Files.createDirectories(tmp.resolve("all/b"));
        Files.writeString(a.resolve("case.json"), "{}");
        Files.writeString(b.resolve("case.json"), "{}");
        Path readme = Files.writeString(tmp.resolve("all/README.md"), "x");
        List<String> skipped = new ArrayList<>();
        assertEquals(List.of(a, b), FixtureVerifier.caseDirs(List.of(tmp.resolve("all")), skipped::add));
        assertEquals(List.of(a), FixtureVerifier.caseDirs(List.of(readme, a), skipped::add));
        assertEquals(1, skipped.size());
        assertThrows(UserError.class, () -> FixtureVerifier.caseDirs(List.of(tmp.resolve("nope")), skipped::add));
        assertThrows(UserError.class, () -> FixtureVerifier.caseDirs(List.of(readme), skipped::add));
        assertThrows(UserError.class, () -> new FixtureVerifier("hip"));
    }

    @Test
    void hfRowsArePaddedAfterTheirEndOfSequence() throws IOException {
        Path hf = Files.createDirectories(tmp.resolve("hf"));
        Files.writeString(hf.resolve("config.json"), """
                {"model_type": "xlstm", "vocab_size": 32, "hidden_size": 16, "num_hidden_layers": 1, "num_heads": 2,
                 "eos_token_id": 2, "pad_token_id": 1}""");
        long[][] rows = {{5, 2, 7, 8}, {3, 4, 6, 9}};
        ModelCases.hfEndOfSequence(hf, rows);
        assertArrayEquals(new long[] {5, 2, 1, 1}, rows[0]);
        assertArrayEquals(new long[] {3, 4, 6, 9}, rows[1]);

        Files.writeString(hf.resolve("generation_config.json"), "{\"eos_token_id\": [9, 4], \"pad_token_id\": 0}");
        long[][] more = {{3, 4, 6, 9}};
        ModelCases.hfEndOfSequence(hf, more);
        assertArrayEquals(new long[] {3, 4, 0, 0}, more[0]);
    }
}
