package xlstm.runtime.model;

import org.junit.jupiter.api.Test;
import xlstm.runtime.config.LmModelConfig;
import xlstm.runtime.io.WeightStore;
import xlstm.runtime.tensor.Tensor;

/** {@code xLSTMLMModel} against the golden fixture {@code lm_model_small}: logits and token-by-token step logits. */
class LmModelGoldenTest {

    static XlstmLmModel load(GoldenFixture f) {
        LmModelConfig cfg = LmModelConfig.fromJson(f.config());
        return XlstmLmModel.load(cfg, WeightStore.open(f.dir().resolve("weights.safetensors")));
    }

    @Test
    void logitsMatchReference() {
        GoldenFixture f = GoldenFixture.load("lm_model_small");
        XlstmLmModel m = load(f);
        f.assertClose("logits", m.forward(f.io("input_ids")), f.io("logits"));
    }

    @Test
    void stepLogitsMatchReference() {
        GoldenFixture f = GoldenFixture.load("lm_model_small");
        XlstmLmModel m = load(f);
        long[][] ids = f.ioRows("input_ids");
        int b = ids.length, s = ids[0].length, v = m.config().vocabSize();
        float[] out = new float[b * s * v];
        LmState state = m.newState(b);
        for (int t = 0; t < s; t++) {
            long[] col = new long[b];
            for (int r = 0; r < b; r++) col[r] = ids[r][t];
            float[] lt = m.step(Tensor.ofLongs(col, b, 1), state).toFloatArray();
            for (int r = 0; r < b; r++) System.arraycopy(lt, r * v, out, (r * s + t) * v, v);
        }
        f.assertClose("step_logits", Tensor.of(out, b, s, v), f.io("step_logits"));
    }
}
