package xlstm.training.init;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import xlstm.runtime.UserError;
import xlstm.runtime.checkpoint.RandomCheckpoint;
import xlstm.runtime.config.LmModelConfig;
import xlstm.runtime.config.XlstmLargeConfig;
import xlstm.runtime.io.WeightStore;
import xlstm.runtime.model.XlstmLarge;
import xlstm.runtime.model.XlstmLmModel;
import xlstm.runtime.tensor.Tensor;

/** The runtime's loaders reject missing, extra and mis-shaped tensors, so loading proves names and shapes. */
class ReferenceInitTest {
    private static final String B0 = "xlstm_block_stack.blocks.0.", B1 = "xlstm_block_stack.blocks.1.";

    @Test
    void theSpecModelLoadsAndHasTheVerifiedParameterCount() {
        LmModelConfig cfg = ReferenceConfigs.specSmallModel();
        Map<String, Tensor> w = LmModelInit.of(cfg, 42);
        XlstmLmModel model = XlstmLmModel.load(cfg, WeightStore.of(w, "init"));
        long n = 0;
        for (Tensor t : w.values()) n += t.numel();
        assertEquals(473_608, n); // SPEC §3.6 [verified]
        // small_init logits: close to uniform over the vocabulary, nothing blows up through the gates
        float[] logits = model.forward(Tensor.ofLongs(new long[] {1, 5, 9, 200, 999, 3}, 1, 6)).toFloatArray();
        for (float x : logits) assertTrue(Float.isFinite(x) && Math.abs(x) < 5, "logit " + x);
    }

    @Test
    void theLoaderWouldNoticeAWrongName() {
        LmModelConfig cfg = ReferenceConfigs.specSmallModel();
        Map<String, Tensor> missing = new LinkedHashMap<>(LmModelInit.of(cfg, 42));
        missing.remove(B1 + "xlstm.slstm_cell._bias_");
        assertThrows(UserError.class, () -> XlstmLmModel.load(cfg, WeightStore.of(missing, "init")));
        Map<String, Tensor> extra = new LinkedHashMap<>(LmModelInit.of(cfg, 42));
        extra.put(B0 + "xlstm.proj_up.bias", Tensor.zeros(512));
        assertThrows(UserError.class, () -> XlstmLmModel.load(cfg, WeightStore.of(extra, "init")));
        Map<String, Tensor> shape = new LinkedHashMap<>(LmModelInit.of(cfg, 42));
        shape.put(B0 + "xlstm.q_proj.weight", Tensor.zeros(4, 64, 4));
        assertThrows(UserError.class, () -> XlstmLmModel.load(cfg, WeightStore.of(shape, "init")));
    }

    @Test
    void everyOptionalPartLoads() {
        // biases, cuda sLSTM layout, tied head, no post norm, standard inits, a feed-forward with bias
        LmModelConfig cfg = ReferenceConfigs.lm("""
                {"vocab_size": 50, "num_blocks": 3, "embedding_dim": 32, "context_length": 16, "slstm_at": [0, 2],
                 "bias": true, "tie_weights": true, "add_post_blocks_norm": false,
                 "mlstm_block": {"mlstm": {"num_heads": 2, "conv1d_kernel_size": 0}},
                 "slstm_block": {"slstm": {"backend": "cuda", "num_heads": 2, "bias_init": "standard",
                                           "recurrent_weight_init": "standard"},
                                 "feedforward": {"bias": true}}}
                """);
        Map<String, Tensor> w = LmModelInit.of(cfg, 7);
        XlstmLmModel.load(cfg, WeightStore.of(w, "init"));
        assertTrue(!w.containsKey("lm_head.weight"));
        float[] r = w.get(B0 + "xlstm.slstm_cell._recurrent_kernel_").toFloatArray();
        double bound = 1 / Math.sqrt(32);
        for (float v : r) assertTrue(Math.abs(v) <= bound);
        assertTrue(std(r) > bound / 2, "U(±1/√H) has std bound/√3");
    }

    @Test
    void smallInitAndWangInitHaveTheirStandardDeviations() {
        Map<String, Tensor> w = LmModelInit.of(ReferenceConfigs.specSmallModel(), 3);
        // small_init(E=128): √(2/640) = 0.0559; 65536 samples: the estimate is within 1 %
        assertEquals(Math.sqrt(2.0 / 640), std(w.get(B0 + "xlstm.proj_up.weight").toFloatArray()), 0.0559 * 0.02);
        assertEquals(Math.sqrt(2.0 / 640), std(w.get("token_embedding.weight").toFloatArray()), 0.0559 * 0.02);
        // wang_init(E=128, 2 blocks): 2/(2·√128) = 0.0884
        assertEquals(2 / (2 * Math.sqrt(128)), std(w.get(B0 + "xlstm.proj_down.weight").toFloatArray()), 0.0884 * 0.02);
        assertEquals(0.1, std(w.get(B0 + "xlstm.mlstm_cell.igate.bias").toFloatArray()), 0.1); // only 4 values
        assertArrayEquals(new float[] {3, 4, 5, 6}, w.get(B0 + "xlstm.mlstm_cell.fgate.bias").toFloatArray());
        assertEquals(0f, max(w.get(B0 + "xlstm.mlstm_cell.igate.weight")));
        assertEquals(1f, w.get(B0 + "xlstm.learnable_skip").getFloat(5));
        assertEquals(0f, max(w.get(B1 + "xlstm.slstm_cell._recurrent_kernel_"))); // recurrent_weight_init zeros
    }

    @Test
    void powerlawForgetBiasRunsFromFiveToMinusSeven() {
        Map<String, Tensor> w = LmModelInit.of(ReferenceConfigs.specSmallModel(), 3);
        Tensor b = w.get(B1 + "xlstm.slstm_cell._bias_"); // vanilla: gate-major g·H + h·DH + j; block 1 of 2: r = 1
        int e = 128, dh = 32;
        for (int h = 0; h < 4; h++) {
            int f = e + h * dh; // gate 1 (forget)
            assertEquals(5.0f, b.getFloat(f), 1e-6);
            assertEquals(1.2438013660898664, b.getFloat(f + 15), 1e-5); // −(−5 + 12·(15/31)^1.6), by hand
            assertEquals(-7.0f, b.getFloat(f + 31), 1e-5);
            assertEquals(0f, b.getFloat(h * dh + 3)); // input gate
            assertEquals(0f, b.getFloat(2 * e + h * dh + 3)); // cell input
        }
        // block 0 of 2 (r = 0): exponent 0.3
        assertEquals(-4.651617798119201, SlstmBias.powerlawForget(32, 0, 2)[15], 1e-5);
    }

    @Test
    void theOtherBiasInitsInTheCudaOrder() {
        for (String init : new String[] {"small_init", "zeros"}) {
            LmModelConfig cfg = ReferenceConfigs.lm("""
                    {"vocab_size": 10, "num_blocks": 1, "embedding_dim": 8, "slstm_at": "all",
                     "slstm_block": {"slstm": {"backend": "cuda", "num_heads": 2, "bias_init": "%s"}}}
                    """.formatted(init));
            float[] b = LmModelInit.of(cfg, 1).get(B0 + "xlstm.slstm_cell._bias_").toFloatArray();
            for (int h = 0; h < 2; h++) {
                for (int g = 0; g < 4; g++) {
                    for (int j = 0; j < 4; j++) {
                        float expected = init.equals("small_init") && g == 1 ? 3 + j : 0; // linspace(3, 6, DH = 4)
                        assertEquals(expected, b[h * 16 + g * 4 + j], 1e-6, init + " head " + h + " gate " + g);
                    }
                }
            }
        }
    }

    @Test
    void xlstmLargeLoadsWithItsGateBiasesAndCounts() {
        XlstmLargeConfig cfg = XlstmLargeConfig.of(64, 2, 2, 100);
        Map<String, Tensor> w = LargeModelInit.of(cfg, 5);
        XlstmLarge.load(cfg, WeightStore.of(w, "init"));
        long n = 0;
        for (Tensor t : w.values()) n += t.numel();
        assertEquals(RandomCheckpoint.parameterCount(cfg, false), n);
        String l = "backbone.blocks.1.mlstm_layer.";
        assertArrayEquals(new float[] {-10, -10}, w.get(l + "igate_preact.bias").toFloatArray());
        assertArrayEquals(new float[] {3, 6}, w.get(l + "fgate_preact.bias").toFloatArray());
        assertEquals(0f, max(w.get(l + "ogate_preact.weight")));
        assertEquals(2 / (2 * Math.sqrt(64)), std(w.get(l + "out_proj.weight").toFloatArray()), 0.125 * 0.03);
        assertEquals(Math.sqrt(2.0 / 320), std(w.get(l + "q.weight").toFloatArray()), 0.079 * 0.03);
        assertEquals(1f, w.get("backbone.out_norm.weight").getFloat(0));
        XlstmLargeConfig withBias = new XlstmLargeConfig(64, 2, 1, 100, true, 1e-6, true, true, 0.5, 1.0,
                "chunkwise--triton_limit_chunk", "native_sequence__triton", "triton", "train", 64, false, "bfloat16",
                1e-6, "float32", 2.6667, 64, 15.0, 30.0, "single");
        XlstmLarge.load(withBias, WeightStore.of(LargeModelInit.of(withBias, 5), "init"));
    }

    @Test
    void theSeedDecides() {
        LmModelConfig cfg = ReferenceConfigs.specSmallModel();
        String name = B0 + "xlstm.proj_up.weight";
        assertArrayEquals(LmModelInit.of(cfg, 1).get(name).toFloatArray(), LmModelInit.of(cfg, 1).get(name).toFloatArray());
        assertNotEquals(LmModelInit.of(cfg, 1).get(name).getFloat(0), LmModelInit.of(cfg, 2).get(name).getFloat(0));
    }

    private static double std(float[] v) {
        double mean = 0, sq = 0;
        for (float x : v) mean += x;
        mean /= v.length;
        for (float x : v) sq += (x - mean) * (x - mean);
        return Math.sqrt(sq / v.length);
    }

    private static float max(Tensor t) {
        float m = 0;
        for (float x : t.toFloatArray()) m = Math.max(m, Math.abs(x));
        return m;
    }
}
