package xlstm.training.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import xlstm.runtime.UserError;
import xlstm.runtime.config.BlockStackConfig;
import xlstm.runtime.config.LmModelConfig;
import xlstm.runtime.config.XlstmLargeConfig;
import xlstm.runtime.io.WeightStore;
import xlstm.runtime.model.XlstmBlockStack;
import xlstm.runtime.model.XlstmLarge;
import xlstm.runtime.model.XlstmLmModel;
import xlstm.runtime.tensor.Tensor;
import xlstm.training.Batch;
import xlstm.training.Trainable;

/**
 * The trainable models' forward passes equal the runtime's inference on the fixtures' weights (up to the float
 * rounding of the cell's recurrent vs parallel/chunkwise schedules), and the factory rejects bad weights by name.
 */
class TrainableForwardTest {
    /** Two float32 schedules of the same function: a few ulps of the output's magnitude apart. */
    private static final double SCHEDULE_RTOL = 1e-5;

    @Test
    void blockStackForwardEqualsInference() {
        for (String name : new String[] {"block_stack_mlstm", "block_stack_mixed"}) {
            BlockStackConfig cfg = BlockStackConfig.fromJson(GoldenFiles.config(name));
            Map<String, Tensor> w = GoldenFiles.tensors(name, "weights.safetensors");
            Tensor x = GoldenFiles.tensors(name, "io.safetensors").get("x");
            Tensor expected = XlstmBlockStack.load(cfg, WeightStore.of(w, name), "").forward(x);
            Tensor y = TrainableModels.blockStack(cfg, w).forward(x);
            assertClose(name, expected, y);
        }
    }

    @Test
    void lmModelLogitsEqualInference() {
        String name = "lm_model_small";
        LmModelConfig cfg = LmModelConfig.fromJson(GoldenFiles.config(name));
        Map<String, Tensor> w = GoldenFiles.tensors(name, "weights.safetensors");
        Tensor ids = GoldenFiles.tensors(name, "io.safetensors").get("input_ids");
        Tensor expected = XlstmLmModel.load(cfg, WeightStore.of(w, name)).forward(ids);
        assertClose(name, expected, TrainableModels.lmModel(cfg, w).logits(GoldenFiles.rows(ids)));
    }

    @Test
    void largeLogitsEqualInferenceInBothWeightModes() {
        String name = "xlstm_large_small";
        XlstmLargeConfig cfg = XlstmLargeConfig.fromJson(GoldenFiles.config(name));
        Map<String, Tensor> w = GoldenFiles.tensors(name, "weights.safetensors");
        Tensor ids = GoldenFiles.tensors(name, "io.safetensors").get("input_ids");
        Tensor expected = XlstmLarge.load(cfg, WeightStore.of(w, name)).forward(ids, null);
        assertClose(name, expected, TrainableModels.large(cfg, w).logits(GoldenFiles.rows(ids)));
        XlstmLargeConfig fused = cfg.withWeightMode("fused");
        Map<String, Tensor> fw = FusedWeights.of(cfg, w);
        assertClose(name + " fused", XlstmLarge.load(fused, WeightStore.of(fw, name)).forward(ids, null),
                TrainableModels.large(fused, fw).logits(GoldenFiles.rows(ids)));
    }

    @Test
    void lossWithoutBackwardLeavesGradientsAlone() {
        String name = "lm_model_small";
        Trainable m = TrainableModels.lmModel(LmModelConfig.fromJson(GoldenFiles.config(name)),
                GoldenFiles.tensors(name, "weights.safetensors"));
        Map<String, Tensor> io = GoldenFiles.tensors(name, "io.safetensors");
        double loss = m.loss(new Batch(GoldenFiles.rows(io.get("input_ids")), GoldenFiles.rows(io.get("targets"))), false);
        assertEquals(io.get("loss").getFloat(0), loss, 1e-5 * Math.abs(loss));
        m.parameters().forEach(p -> assertEquals(0.0, GoldenFiles.maxAbs(p.grad())));
    }

    @Test
    void badWeightsAreErrorsNamingTheTensor() {
        String name = "lm_model_small";
        LmModelConfig cfg = LmModelConfig.fromJson(GoldenFiles.config(name));
        Map<String, Tensor> w = GoldenFiles.tensors(name, "weights.safetensors");
        Map<String, Tensor> missing = new LinkedHashMap<>(w);
        missing.remove("xlstm_block_stack.blocks.1.xlstm.slstm_cell._bias_");
        assertMessage(() -> TrainableModels.lmModel(cfg, missing), "xlstm_block_stack.blocks.1.xlstm.slstm_cell._bias_");
        Map<String, Tensor> extra = new LinkedHashMap<>(w);
        extra.put("xlstm_block_stack.blocks.0.xlstm.proj_up.bias", Tensor.zeros(128));
        assertMessage(() -> TrainableModels.lmModel(cfg, extra), "xlstm_block_stack.blocks.0.xlstm.proj_up.bias");
        Map<String, Tensor> misShaped = new LinkedHashMap<>(w);
        misShaped.put("lm_head.weight", Tensor.zeros(96, 32));
        assertMessage(() -> TrainableModels.lmModel(cfg, misShaped), "lm_head.weight");
    }

    private static void assertMessage(Runnable r, String name) {
        UserError e = assertThrows(UserError.class, r::run);
        assertTrue(e.getMessage().contains("'" + name + "'") || e.getMessage().contains(name), e.getMessage());
    }

    private static void assertClose(String what, Tensor expected, Tensor actual) {
        assertEquals(java.util.Arrays.toString(expected.shape()), java.util.Arrays.toString(actual.shape()), what);
        double err = GoldenFiles.maxAbsDiff(expected, actual), tol = SCHEDULE_RTOL * GoldenFiles.maxAbs(expected);
        assertTrue(err <= tol, what + ": max|trainable − inference| = " + err + " > " + tol);
    }
}
