package xlstm.runtime.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import xlstm.runtime.config.BlockStackConfig;
import xlstm.runtime.io.WeightStore;
import xlstm.runtime.tensor.Tensor;

/** {@code xLSTMBlockStack} against the golden fixtures of kind {@code block_stack}. */
class BlockStackGoldenTest {

    static XlstmBlockStack load(GoldenFixture f) {
        BlockStackConfig cfg = BlockStackConfig.fromJson(f.config());
        WeightStore w = WeightStore.open(f.dir().resolve("weights.safetensors"));
        return XlstmBlockStack.load(cfg, w, "");
    }

    @ParameterizedTest
    @ValueSource(strings = {"block_stack_mlstm", "block_stack_mixed"})
    void forwardMatchesReference(String name) {
        GoldenFixture f = GoldenFixture.load(name);
        XlstmBlockStack stack = load(f);
        f.assertClose("y", stack.forward(f.io("x")), f.io("y"));
    }

    /** The recurrent step API, token by token, reproduces the reference's full-sequence output. */
    @ParameterizedTest
    @ValueSource(strings = {"block_stack_mlstm", "block_stack_mixed"})
    void stepMatchesReference(String name) {
        GoldenFixture f = GoldenFixture.load(name);
        XlstmBlockStack stack = load(f);
        Tensor x = f.io("x");
        int b = Math.toIntExact(x.dim(0)), s = Math.toIntExact(x.dim(1)), e = Math.toIntExact(x.dim(2));
        float[] xs = x.toFloatArray();
        float[] ys = new float[xs.length];
        BlockStackState state = stack.newState(b);
        assertEquals(stack.numBlocks(), state.blocks());
        for (int t = 0; t < s; t++) {
            float[] xt = new float[b * e];
            for (int r = 0; r < b; r++) System.arraycopy(xs, (r * s + t) * e, xt, r * e, e);
            float[] yt = stack.step(Tensor.of(xt, b, 1, e), state).toFloatArray();
            for (int r = 0; r < b; r++) System.arraycopy(yt, r * e, ys, (r * s + t) * e, e);
        }
        f.assertClose("y (step)", Tensor.of(ys, b, s, e), f.io("y"));
    }

    /**
     * The same sLSTM parameters stored in the CUDA backend's layout (recurrent kernel (NH, DH, 4·DH), head-major
     * bias; SPEC §2.5) with {@code backend: cuda} give the same model.
     */
    @Test
    void cudaStorageLayoutGivesSameOutput() {
        GoldenFixture f = GoldenFixture.load("block_stack_mixed");
        ObjectNode cfgJson = f.config().deepCopy();
        ((ObjectNode) cfgJson.get("slstm_block").get("slstm")).put("backend", "cuda");
        BlockStackConfig cfg = BlockStackConfig.fromJson(cfgJson);
        Map<String, Tensor> w = new LinkedHashMap<>(WeightStore.open(f.dir().resolve("weights.safetensors")).toMap());
        int e = cfg.embeddingDim();
        for (int i = 0; i < cfg.numBlocks(); i++) {
            if (!cfg.isSlstmBlock(i)) continue;
            String p = "blocks." + i + ".xlstm.slstm_cell.";
            Tensor rv = w.get(p + "_recurrent_kernel_");
            int nh = Math.toIntExact(rv.dim(0)), dh = Math.toIntExact(rv.dim(2));
            float[] r = rv.toFloatArray(), rc = new float[r.length];
            for (int h = 0; h < nh; h++)
                for (int gj = 0; gj < 4 * dh; gj++)
                    for (int in = 0; in < dh; in++)
                        rc[(h * dh + in) * 4 * dh + gj] = r[(h * 4 * dh + gj) * dh + in];
            w.put(p + "_recurrent_kernel_", Tensor.of(rc, nh, dh, 4L * dh));
            float[] b = w.get(p + "_bias_").toFloatArray(), bc = new float[b.length];
            for (int g = 0; g < 4; g++)
                for (int h = 0; h < nh; h++)
                    for (int j = 0; j < dh; j++) bc[h * 4 * dh + g * dh + j] = b[g * e + h * dh + j];
            w.put(p + "_bias_", Tensor.of(bc, 4L * e));
        }
        XlstmBlockStack stack = XlstmBlockStack.load(cfg, WeightStore.of(w, "cuda layout"), "");
        f.assertClose("y (cuda layout)", stack.forward(f.io("x")), f.io("y"));
    }
}
