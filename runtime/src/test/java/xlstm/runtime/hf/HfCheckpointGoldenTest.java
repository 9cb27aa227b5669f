package xlstm.runtime.hf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import xlstm.backends.DType;
import xlstm.runtime.UserError;
import xlstm.runtime.model.GoldenFixture;
import xlstm.runtime.model.XlstmLarge;
import xlstm.runtime.tensor.Tensor;

/** Hugging Face checkpoint directories (golden fixtures of kind {@code hf_xlstm}) loaded as a user would. */
class HfCheckpointGoldenTest {

    @ParameterizedTest
    @ValueSource(strings = {"hf_xlstm_small", "hf_xlstm_bf16"})
    void logitsMatchReference(String name) {
        GoldenFixture f = GoldenFixture.load(name);
        XlstmLarge m = HfCheckpoint.load(f.dir().resolve("hf"), null);
        f.assertClose("logits", m.forward(f.io("input_ids"), null), f.io("logits"));
    }

    /** gen_tokens holds the prefix followed by the greedy continuation. */
    @ParameterizedTest
    @ValueSource(strings = {"hf_xlstm_small", "hf_xlstm_bf16"})
    void greedyGenerationMatchesReference(String name) {
        GoldenFixture f = GoldenFixture.load(name);
        XlstmLarge m = HfCheckpoint.load(f.dir().resolve("hf"), null);
        long[][] prefix = f.ioRows("gen_prefix"), ref = f.ioRows("gen_tokens");
        int newTokens = ref[0].length - prefix[0].length;
        long[][] gen = m.generateGreedy(prefix, newTokens);
        long[][] full = new long[prefix.length][];
        for (int r = 0; r < prefix.length; r++) {
            full[r] = new long[ref[r].length];
            System.arraycopy(prefix[r], 0, full[r], 0, prefix[r].length);
            System.arraycopy(gen[r], 0, full[r], prefix[r].length, newTokens);
        }
        f.assertTokens("gen_tokens", full, ref);
    }

    /** Widening stored bf16 weights to float32 at load is exact: the same logits. */
    @Test
    void bf16CheckpointWidenedToF32() {
        GoldenFixture f = GoldenFixture.load("hf_xlstm_bf16");
        XlstmLarge m = HfCheckpoint.load(f.dir().resolve("hf"), DType.F32);
        f.assertClose("logits (as F32)", m.forward(f.io("input_ids"), null), f.io("logits"));
    }

    /** A float32 checkpoint held as bf16 still runs (rounded weights; close to, not equal to, the reference). */
    @Test
    void f32CheckpointAsBf16() {
        GoldenFixture f = GoldenFixture.load("hf_xlstm_small");
        XlstmLarge m = HfCheckpoint.load(f.dir().resolve("hf"), DType.BF16);
        Tensor out = m.forward(f.io("input_ids"), null);
        float[] o = out.toFloatArray(), r = f.io("logits").toFloatArray();
        assertEquals(r.length, o.length);
        double max = 0;
        for (int i = 0; i < r.length; i++) max = Math.max(max, Math.abs(o[i] - r[i]));
        assertTrue(max < 0.25, "bf16 weights moved the logits by " + max);
    }

    @Test
    void directoryWithoutConfigIsAUserError(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("README"), "empty");
        UserError e = assertThrows(UserError.class, () -> HfCheckpoint.load(dir, null));
        assertTrue(e.getMessage().contains("config.json"), e.getMessage());
    }
}
