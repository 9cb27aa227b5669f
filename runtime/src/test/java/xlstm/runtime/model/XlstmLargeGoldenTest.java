package xlstm.runtime.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import xlstm.runtime.config.XlstmLargeConfig;
import xlstm.runtime.io.WeightStore;
import xlstm.runtime.tensor.Tensor;

/** xLSTM Large against the golden fixture {@code xlstm_large_small}: logits, final states, greedy tokens. */
class XlstmLargeGoldenTest {

    static XlstmLargeConfig config(GoldenFixture f) { return XlstmLargeConfig.fromJson(f.config()); }

    static Map<String, Tensor> weights(GoldenFixture f) {
        return WeightStore.open(f.dir().resolve("weights.safetensors")).toMap();
    }

    static XlstmLarge load(GoldenFixture f) {
        return XlstmLarge.load(config(f), WeightStore.open(f.dir().resolve("weights.safetensors")));
    }

    @Test
    void logitsAndFinalStatesMatchReference() {
        GoldenFixture f = GoldenFixture.load("xlstm_large_small");
        XlstmLarge m = load(f);
        Tensor ids = f.io("input_ids");
        LargeState state = m.newState(Math.toIntExact(ids.dim(0)));
        f.assertClose("logits", m.forward(ids, state), f.io("logits"));
        assertEquals(m.config().numBlocks(), state.blocks());
        for (int b = 0; b < state.blocks(); b++) {
            f.assertClose("state." + b + ".c", state.c(b), f.io("state." + b + ".c"));
            f.assertClose("state." + b + ".n", state.n(b), f.io("state." + b + ".n"));
            f.assertClose("state." + b + ".m", state.m(b), f.io("state." + b + ".m"));
        }
    }

    @Test
    void greedyGenerationMatchesReference() {
        GoldenFixture f = GoldenFixture.load("xlstm_large_small");
        XlstmLarge m = load(f);
        long[][] ref = f.ioRows("gen_tokens");
        long[][] gen = m.generateGreedy(f.ioRows("gen_prefix"), ref[0].length);
        f.assertTokens("gen_tokens", gen, ref);
    }

    /**
     * The sequence fed in pieces with the state carried (a chunked prefix, a remainder shorter than a chunk,
     * single steps) gives the full-sequence logits and final states.
     */
    @Test
    void statePassingMatchesReference() {
        GoldenFixture f = GoldenFixture.load("xlstm_large_small");
        XlstmLarge m = load(f);
        long[][] ids = f.ioRows("input_ids");
        int b = ids.length, s = ids[0].length, v = m.config().vocabSize();
        int[] cuts = {0, 5, 17, 18, s - 1, s};
        LargeState state = m.newState(b);
        float[] out = new float[b * s * v];
        for (int p = 0; p + 1 < cuts.length; p++) {
            int from = cuts[p], to = cuts[p + 1], len = to - from;
            long[] piece = new long[b * len];
            for (int r = 0; r < b; r++) System.arraycopy(ids[r], from, piece, r * len, len);
            float[] lg = m.forward(Tensor.ofLongs(piece, b, len), state).toFloatArray();
            for (int r = 0; r < b; r++) System.arraycopy(lg, r * len * v, out, (r * s + from) * v, len * v);
        }
        f.assertClose("logits (pieces)", Tensor.of(out, b, s, v), f.io("logits"));
        for (int i = 0; i < state.blocks(); i++) f.assertClose("state." + i + ".c", state.c(i), f.io("state." + i + ".c"));
    }

    /**
     * A pass shorter than the state's previous one reuses the front of the state's prefill buffers: after the whole
     * sequence, a reset and the first tokens alone give the reference's logits of those positions (the model is
     * causal).
     */
    @Test
    void shorterPassOnReusedBuffersMatchesReference() {
        GoldenFixture f = GoldenFixture.load("xlstm_large_small");
        XlstmLarge m = load(f);
        long[][] ids = f.ioRows("input_ids");
        int b = ids.length, s = ids[0].length, v = m.config().vocabSize(), len = s / 2;
        assertTrue(len > 1, "the fixture's sequence is too short to cut");
        LargeState state = m.newState(b);
        m.forward(f.io("input_ids"), state);
        state.reset();
        long[] prefix = new long[b * len];
        for (int r = 0; r < b; r++) System.arraycopy(ids[r], 0, prefix, r * len, len);
        float[] all = f.io("logits").toFloatArray(), ref = new float[b * len * v];
        for (int r = 0; r < b; r++) System.arraycopy(all, r * s * v, ref, r * len * v, len * v);
        f.assertClose("logits (shorter pass)", m.forward(Tensor.ofLongs(prefix, b, len), state), Tensor.of(ref, b, len, v));
    }

    /** A null state means a fresh zero state. */
    @Test
    void nullStateIsFresh() {
        GoldenFixture f = GoldenFixture.load("xlstm_large_small");
        f.assertClose("logits (null)", load(f).forward(f.io("input_ids"), null), f.io("logits"));
    }

    /** Fused weights (concatenated as xlstm's convert_single_weights_to_fused_weights does) compute the same model. */
    @Test
    void fusedWeightModeEqualsSingle() {
        GoldenFixture f = GoldenFixture.load("xlstm_large_small");
        XlstmLargeConfig cfg = config(f);
        Map<String, Tensor> single = weights(f);
        Map<String, Tensor> fused = new LinkedHashMap<>();
        for (var e : single.entrySet()) {
            if (!e.getKey().contains(".mlstm_layer.q.") && !e.getKey().contains(".mlstm_layer.k.")
                    && !e.getKey().contains(".mlstm_layer.v.") && !e.getKey().contains(".ogate_preact.")
                    && !e.getKey().contains(".igate_preact.") && !e.getKey().contains(".fgate_preact.")
                    && !e.getKey().contains(".ffn.proj_up")) {
                fused.put(e.getKey(), e.getValue());
            }
        }
        for (int i = 0; i < cfg.numBlocks(); i++) {
            String p = "backbone.blocks." + i + ".";
            fused.put(p + "mlstm_layer.qkv_opreact.weight", cat0(single.get(p + "mlstm_layer.q.weight"),
                    single.get(p + "mlstm_layer.k.weight"), single.get(p + "mlstm_layer.v.weight"),
                    single.get(p + "mlstm_layer.ogate_preact.weight")));
            fused.put(p + "mlstm_layer.ifgate_preact.weight", cat0(single.get(p + "mlstm_layer.igate_preact.weight"),
                    single.get(p + "mlstm_layer.fgate_preact.weight")));
            fused.put(p + "mlstm_layer.ifgate_preact.bias", cat0(single.get(p + "mlstm_layer.igate_preact.bias"),
                    single.get(p + "mlstm_layer.fgate_preact.bias")));
            fused.put(p + "ffn.proj_up_gate_z.weight", cat0(single.get(p + "ffn.proj_up_gate.weight"),
                    single.get(p + "ffn.proj_up.weight")));
        }
        XlstmLarge ms = XlstmLarge.load(cfg, WeightStore.of(single, "single"));
        XlstmLarge mf = XlstmLarge.load(cfg.withWeightMode("fused"), WeightStore.of(fused, "fused"));
        Tensor ids = f.io("input_ids");
        Tensor ls = ms.forward(ids, null), lf = mf.forward(ids, null);
        assertArrayEquals(ls.shape(), lf.shape());
        float[] a = ls.toFloatArray(), c = lf.toFloatArray();
        double max = 0;
        for (int i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - c[i]));
        assertTrue(max <= 1e-5, "fused vs single logits differ by " + max);
        f.assertClose("logits (fused)", lf, f.io("logits"));
        long[][] ref = f.ioRows("gen_tokens");
        f.assertTokens("gen (fused)", mf.generateGreedy(f.ioRows("gen_prefix"), ref[0].length), ref);
    }

    /** Concatenation along dimension 0 (float32 copies). */
    static Tensor cat0(Tensor... parts) {
        long rows = 0;
        for (Tensor t : parts) rows += t.dim(0);
        long[] shape = parts[0].shape();
        shape[0] = rows;
        Tensor out = Tensor.zeros(shape);
        long off = 0;
        for (Tensor t : parts) {
            Tensor c = t.toF32();
            long bytes = c.numel() * 4;
            MemorySegment.copy(c.data(), 0, out.data(), off, bytes);
            off += bytes;
        }
        return out;
    }
}
