package xlstm.runtime.model;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import xlstm.runtime.UserError;
import xlstm.runtime.config.BlockStackConfig;
import xlstm.runtime.config.LmModelConfig;
import xlstm.runtime.config.XlstmLargeConfig;
import xlstm.runtime.io.WeightStore;
import xlstm.runtime.tensor.Tensor;

/** Clear errors for weights that do not fit the config and for token ids outside the vocabulary. */
class ModelErrorsTest {

    private static Map<String, Tensor> weights(GoldenFixture f) {
        return new LinkedHashMap<>(WeightStore.open(f.dir().resolve("weights.safetensors")).toMap());
    }

    private static void assertMessage(UserError e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message '" + e.getMessage() + "' should mention '" + p + "'");
        }
    }

    @Test
    void missingWeightIsNamed() {
        GoldenFixture f = GoldenFixture.load("xlstm_large_small");
        Map<String, Tensor> w = weights(f);
        w.remove("backbone.blocks.1.mlstm_layer.v.weight");
        UserError e = assertThrows(UserError.class,
                () -> XlstmLarge.load(XlstmLargeConfig.fromJson(f.config()), WeightStore.of(w, "test")));
        assertMessage(e, "backbone.blocks.1.mlstm_layer.v.weight", "missing");

        GoldenFixture g = GoldenFixture.load("block_stack_mixed");
        Map<String, Tensor> ws = weights(g);
        ws.remove("blocks.1.xlstm.slstm_cell._recurrent_kernel_");
        UserError e2 = assertThrows(UserError.class,
                () -> XlstmBlockStack.load(BlockStackConfig.fromJson(g.config()), WeightStore.of(ws, "test"), ""));
        assertMessage(e2, "blocks.1.xlstm.slstm_cell._recurrent_kernel_");
    }

    @Test
    void misShapedWeightNamesExpectedAndFoundShapes() {
        GoldenFixture f = GoldenFixture.load("xlstm_large_small");
        Map<String, Tensor> w = weights(f);
        w.put("backbone.blocks.0.mlstm_layer.q.weight", Tensor.zeros(31, 64));
        UserError e = assertThrows(UserError.class,
                () -> XlstmLarge.load(XlstmLargeConfig.fromJson(f.config()), WeightStore.of(w, "test")));
        assertMessage(e, "backbone.blocks.0.mlstm_layer.q.weight", "[31, 64]", "[32, 64]");

        GoldenFixture g = GoldenFixture.load("lm_model_small");
        Map<String, Tensor> wl = weights(g);
        wl.put("xlstm_block_stack.blocks.0.xlstm.q_proj.weight", Tensor.zeros(16, 4, 5));
        UserError e2 = assertThrows(UserError.class,
                () -> XlstmLmModel.load(LmModelConfig.fromJson(g.config()), WeightStore.of(wl, "test")));
        assertMessage(e2, "xlstm_block_stack.blocks.0.xlstm.q_proj.weight", "[16, 4, 5]", "[16, 4, 4]");
    }

    @Test
    void extraWeightIsNamed() {
        GoldenFixture f = GoldenFixture.load("xlstm_large_small");
        Map<String, Tensor> w = weights(f);
        w.put("backbone.blocks.0.mlstm_layer.q.bias", Tensor.zeros(32)); // use_bias is false
        UserError e = assertThrows(UserError.class,
                () -> XlstmLarge.load(XlstmLargeConfig.fromJson(f.config()), WeightStore.of(w, "test")));
        assertMessage(e, "backbone.blocks.0.mlstm_layer.q.bias");

        GoldenFixture g = GoldenFixture.load("block_stack_mlstm");
        Map<String, Tensor> ws = weights(g);
        ws.put("blocks.2.xlstm_norm.weight", Tensor.zeros(32)); // only 2 blocks
        UserError e2 = assertThrows(UserError.class,
                () -> XlstmBlockStack.load(BlockStackConfig.fromJson(g.config()), WeightStore.of(ws, "test"), ""));
        assertMessage(e2, "blocks.2.xlstm_norm.weight");
    }

    /** A stack may be read from an LM checkpoint under its prefix; the LM's own tensors are not "extra". */
    @Test
    void stackLoadsFromLmCheckpointWithPrefix() {
        GoldenFixture g = GoldenFixture.load("lm_model_small");
        LmModelConfig cfg = LmModelConfig.fromJson(g.config());
        XlstmBlockStack s = XlstmBlockStack.load(cfg.stack(),
                WeightStore.open(g.dir().resolve("weights.safetensors")), "xlstm_block_stack.");
        assertTrue(s.numBlocks() == cfg.numBlocks());
    }

    @Test
    void outOfRangeTokenIdsAreRejected() {
        GoldenFixture f = GoldenFixture.load("xlstm_large_small");
        XlstmLarge m = XlstmLarge.load(XlstmLargeConfig.fromJson(f.config()),
                WeightStore.open(f.dir().resolve("weights.safetensors")));
        UserError e = assertThrows(UserError.class, () -> m.forward(Tensor.ofLongs(new long[] {3, 150}, 1, 2), null));
        assertMessage(e, "150", "101");
        UserError e2 = assertThrows(UserError.class, () -> m.generateGreedy(new long[][] {{-1}}, 2));
        assertMessage(e2, "-1", "101");

        GoldenFixture g = GoldenFixture.load("lm_model_small");
        XlstmLmModel lm = LmModelGoldenTest.load(g);
        UserError e3 = assertThrows(UserError.class, () -> lm.forward(Tensor.ofLongs(new long[] {1234}, 1, 1)));
        assertMessage(e3, "1234", "97");
        UserError e4 = assertThrows(UserError.class,
                () -> lm.step(Tensor.ofLongs(new long[] {-5}, 1, 1), lm.newState(1)));
        assertMessage(e4, "-5", "97");
    }

    @Test
    void unknownSlstmFunctionIsAConfigError() {
        GoldenFixture g = GoldenFixture.load("block_stack_mixed");
        ObjectNode cfg = g.config().deepCopy();
        ((ObjectNode) cfg.get("slstm_block").get("slstm")).put("function", "gru");
        UserError e = assertThrows(UserError.class, () -> BlockStackConfig.fromJson(cfg));
        assertMessage(e, "function", "gru");
    }
}
