package xlstm.runtime.hf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import xlstm.backends.DType;
import xlstm.runtime.UserError;
import xlstm.runtime.io.SafetensorsWriter;
import xlstm.runtime.io.WeightStore;
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

    /**
     * gen_tokens holds the prefix followed by the greedy continuation (transformers' generate stops at
     * eos_token_id, so hf_xlstm_bf16 holds fewer than 10 new tokens, the last one EOS; generateGreedy has no
     * EOS stop, so it is asked for exactly that many).
     */
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
    /** The weights where -Dxlstm.weights.copy puts them (default anon on the CPU): the same logits; a bad value is refused. */
    @ParameterizedTest
    @ValueSource(strings = {"mmap", "anon", "huge"})
    void weightsFromTheMappingOrCopiedGiveTheSameLogits(String where) {
        GoldenFixture f = GoldenFixture.load("hf_xlstm_small");
        String old = System.getProperty(HfCheckpoint.COPY_PROPERTY);
        try {
            System.setProperty(HfCheckpoint.COPY_PROPERTY, where);
            XlstmLarge m = HfCheckpoint.load(f.dir().resolve("hf"), null);
            f.assertClose("logits (" + where + ")", m.forward(f.io("input_ids"), null), f.io("logits"));
            System.setProperty(HfCheckpoint.COPY_PROPERTY, "disk");
            UserError e = assertThrows(UserError.class, () -> HfCheckpoint.load(f.dir().resolve("hf"), null));
            assertTrue(e.getMessage().contains("xlstm.weights.copy") && e.getMessage().contains("disk"), e.getMessage());
        } finally {
            if (old == null) System.clearProperty(HfCheckpoint.COPY_PROPERTY);
            else System.setProperty(HfCheckpoint.COPY_PROPERTY, old);
        }
    }

    @Test
    void bf16CheckpointWidenedToF32() {
        GoldenFixture f = GoldenFixture.load("hf_xlstm_bf16");
        XlstmLarge m = HfCheckpoint.load(f.dir().resolve("hf"), DType.F32);
        f.assertClose("logits (as F32)", m.forward(f.io("input_ids"), null), f.io("logits"));
    }

    /**
     * The bf16 checkpoint widened to float32 and saved sharded (index + shards, as save_pretrained writes large
     * models): read as stored, or rounded back to bf16 at load (exact), it gives the reference logits.
     */
    @Test
    void shardedFloat32CopyLoadsAsStoredAndAsBf16(@TempDir Path dir) throws Exception {
        GoldenFixture f = GoldenFixture.load("hf_xlstm_bf16");
        Path hf = f.dir().resolve("hf");
        Map<String, Tensor> widened = new LinkedHashMap<>();
        for (var e : WeightStore.open(hf).toMap().entrySet()) widened.put(e.getKey(), e.getValue().to(DType.F32));
        SafetensorsWriter.writeSharded(dir, widened, 200_000, Map.of("format", "pt"));
        Files.copy(hf.resolve("config.json"), dir.resolve("config.json"));
        assertTrue(Files.isRegularFile(dir.resolve("model.safetensors.index.json")));
        f.assertClose("logits (f32 shards)", HfCheckpoint.load(dir, null).forward(f.io("input_ids"), null),
                f.io("logits"));
        f.assertClose("logits (as BF16)", HfCheckpoint.load(dir, DType.BF16).forward(f.io("input_ids"), null),
                f.io("logits"));
    }

    /** The xlstm repository's own checkpoint layout: config.yaml of xLSTMLargeConfig fields, embedding.weight. */
    @Test
    void xlstmRepositoryLayout(@TempDir Path dir) throws Exception {
        GoldenFixture f = GoldenFixture.load("xlstm_large_small");
        StringBuilder yaml = new StringBuilder();
        for (var it = f.config().fields(); it.hasNext(); ) {
            var e = it.next();
            yaml.append(e.getKey()).append(": ").append(e.getValue().toString()).append('\n');
        }
        Files.writeString(dir.resolve("config.yaml"), yaml.toString());
        Files.copy(f.dir().resolve("weights.safetensors"), dir.resolve("model.safetensors"));
        XlstmLarge m = HfCheckpoint.load(dir, null);
        f.assertClose("logits (config.yaml)", m.forward(f.io("input_ids"), null), f.io("logits"));
    }

    @Test
    void directoryWithoutConfigIsAUserError(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("README"), "empty");
        UserError e = assertThrows(UserError.class, () -> HfCheckpoint.load(dir, null));
        assertTrue(e.getMessage().contains("config.json"), e.getMessage());
    }
}
