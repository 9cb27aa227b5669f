package xlstm.runtime.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import xlstm.runtime.config.LmModelConfig;
import xlstm.runtime.config.XlstmLargeConfig;
import xlstm.runtime.io.WeightStore;
import xlstm.runtime.tensor.Tensor;

/**
 * Config options the golden fixtures do not cover, checked for self-consistency on made-up weights: the
 * parallel forward against the recurrent step API, pieces with carried state against one pass, fused against
 * single weights, and the exact set of tensors each option reads.
 */
class ModelOptionsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static ObjectNode lmConfig(String actFn, String function, String backend) throws Exception {
        return (ObjectNode) JSON.readTree("""
                {"mlstm_block": {"mlstm": {"conv1d_kernel_size": 0, "qkv_proj_blocksize": 8, "num_heads": 2,
                                           "proj_factor": 1.5}},
                 "slstm_block": {"slstm": {"backend": "%s", "num_heads": 2, "conv1d_kernel_size": 3,
                                           "function": "%s", "group_norm_weight": false},
                                 "feedforward": {"proj_factor": 1.7, "act_fn": "%s", "bias": true}},
                 "context_length": 16, "num_blocks": 4, "embedding_dim": 48, "slstm_at": [0, 2],
                 "bias": true, "add_post_blocks_norm": false, "vocab_size": 50, "tie_weights": true}
                """.formatted(backend, function, actFn));
    }

    /** Every activation, both sLSTM functions, mLSTM without convolution, biases, tied embedding, no post norm. */
    @ParameterizedTest
    @ValueSource(strings = {"gelu/slstm", "relu/lstm", "relu^2/slstm", "sigmoid/lstm", "swish/slstm", "selu/slstm"})
    void lmForwardEqualsStepping(String variant) throws Exception {
        String[] v = variant.split("/");
        LmModelConfig cfg = LmModelConfig.fromJson(lmConfig(v[0], v[1], "vanilla"));
        RandomWeights w = new RandomWeights(0.3f);
        XlstmLmModel m = XlstmLmModel.load(cfg, w);
        Map<String, Tensor> made = w.tensors();
        assertTrue(made.containsKey("xlstm_block_stack.blocks.1.xlstm.proj_up.bias"));
        assertTrue(made.containsKey("xlstm_block_stack.blocks.1.xlstm.q_proj.bias"));
        assertTrue(made.containsKey("xlstm_block_stack.blocks.0.ffn.proj_up.bias"));
        assertFalse(made.containsKey("xlstm_block_stack.blocks.1.xlstm.conv1d.conv.weight"));
        assertFalse(made.containsKey("xlstm_block_stack.blocks.0.xlstm.group_norm.weight"));
        assertFalse(made.containsKey("xlstm_block_stack.post_blocks_norm.weight"));
        assertFalse(made.containsKey("lm_head.weight"));
        // the made-up checkpoint loads strictly (nothing missing, nothing extra)
        XlstmLmModel again = XlstmLmModel.load(cfg, WeightStore.of(made, "made"));

        int b = 2, s = 9;
        long[] ids = new Random(3).longs(b * s, 0, cfg.vocabSize()).toArray();
        Tensor full = m.forward(Tensor.ofLongs(ids, b, s));
        assertClose(full.toFloatArray(), again.forward(Tensor.ofLongs(ids, b, s)).toFloatArray(), 1e-5, "reloaded");
        LmState st = m.newState(b);
        float[] stepped = new float[b * s * cfg.vocabSize()];
        for (int t = 0; t < s; t++) {
            long[] col = {ids[t], ids[s + t]};
            float[] lt = m.step(Tensor.ofLongs(col, b, 1), st).toFloatArray();
            for (int r = 0; r < b; r++) {
                System.arraycopy(lt, r * cfg.vocabSize(), stepped, (r * s + t) * cfg.vocabSize(), cfg.vocabSize());
            }
        }
        assertClose(full.toFloatArray(), stepped, 1e-4, "forward vs step (" + variant + ")");
    }

    /** safetensors keeps one name of a shared tensor: a tied checkpoint holding only lm_head.weight loads too. */
    @Test
    void tiedCheckpointMayStoreOnlyTheHead() throws Exception {
        LmModelConfig cfg = LmModelConfig.fromJson(lmConfig("gelu", "slstm", "vanilla"));
        RandomWeights w = new RandomWeights(0.3f);
        XlstmLmModel m = XlstmLmModel.load(cfg, w);
        Map<String, Tensor> renamed = new LinkedHashMap<>(w.tensors());
        renamed.put("lm_head.weight", renamed.remove("token_embedding.weight"));
        XlstmLmModel headOnly = XlstmLmModel.load(cfg, WeightStore.of(renamed, "head-only"));
        long[] ids = new Random(5).longs(2 * 7, 0, cfg.vocabSize()).toArray();
        assertClose(m.forward(Tensor.ofLongs(ids, 2, 7)).toFloatArray(),
                headOnly.forward(Tensor.ofLongs(ids, 2, 7)).toFloatArray(), 1e-6, "head-only tied checkpoint");
    }

    /** The generated lstm cell (cells/lstm.xl) against a direct float64 evaluation of its formula. */
    @Test
    void lstmRecurrenceFollowsItsFormula() {
        int b = 2, nh = 2, s = 3, dh = 3;
        Random rnd = new Random(11);
        Tensor[] x = new Tensor[4], r = new Tensor[4], bias = new Tensor[4];
        for (int g = 0; g < 4; g++) {
            x[g] = rand(rnd, b, nh, s, dh);
            r[g] = rand(rnd, nh, dh, dh);
            bias[g] = rand(rnd, nh, dh);
        }
        Tensor y = rand(rnd, b, nh, dh), c = rand(rnd, b, nh, dh), h = Tensor.zeros(b, nh, s, dh);
        float[] y0 = y.toFloatArray(), c0 = c.toFloatArray();
        xlstm.generated.LstmCell.sequence(b, nh, s, dh, x[0].data(), x[1].data(), x[2].data(), x[3].data(),
                r[0].data(), r[1].data(), r[2].data(), r[3].data(),
                bias[0].data(), bias[1].data(), bias[2].data(), bias[3].data(), y.data(), c.data(), h.data());
        float[][] xs = arrays(x), rs = arrays(r), bs = arrays(bias);
        for (int bb = 0; bb < b; bb++) {
            for (int hd = 0; hd < nh; hd++) {
                double[] yy = new double[dh], cc = new double[dh];
                for (int j = 0; j < dh; j++) {
                    yy[j] = y0[(bb * nh + hd) * dh + j];
                    cc[j] = c0[(bb * nh + hd) * dh + j];
                }
                for (int t = 0; t < s; t++) {
                    double[] raw = new double[4 * dh];
                    for (int g = 0; g < 4; g++)
                        for (int j = 0; j < dh; j++) {
                            double acc = xs[g][((bb * nh + hd) * s + t) * dh + j] + bs[g][hd * dh + j];
                            for (int i = 0; i < dh; i++) acc += rs[g][(hd * dh + j) * dh + i] * yy[i];
                            raw[g * dh + j] = acc;
                        }
                    for (int j = 0; j < dh; j++) {
                        cc[j] = sig(raw[dh + j]) * cc[j] + sig(raw[j]) * Math.tanh(raw[2 * dh + j]);
                        yy[j] = sig(raw[3 * dh + j]) * Math.tanh(cc[j]);
                        assertEquals(yy[j], h.getFloat(((long) (bb * nh + hd) * s + t) * dh + j), 1e-5);
                    }
                }
                for (int j = 0; j < dh; j++) {
                    assertEquals(yy[j], y.getFloat((long) (bb * nh + hd) * dh + j), 1e-5);
                    assertEquals(cc[j], c.getFloat((long) (bb * nh + hd) * dh + j), 1e-5);
                }
            }
        }
    }

    /** xLSTM Large with biases, no out norm, other head dims and a short chunk: pieces and steps agree. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void largeOptionsStatePassingAndFusedMode(boolean fused) throws Exception {
        ObjectNode j = (ObjectNode) JSON.readTree("""
                {"embedding_dim": 48, "num_heads": 3, "num_blocks": 2, "vocab_size": 40, "use_bias": true,
                 "add_out_norm": false, "qk_dim_factor": 0.25, "v_dim_factor": 0.75, "chunk_size": 4,
                 "mode": "inference", "ffn_proj_factor": 1.5, "ffn_round_up_to_multiple_of": 16,
                 "gate_soft_cap": 5.0, "output_logit_soft_cap": 2.0}
                """);
        XlstmLargeConfig cfg = XlstmLargeConfig.fromJson(j);
        RandomWeights w = new RandomWeights(0.4f);
        w.require("embedding.weight", cfg.vocabSize(), cfg.embeddingDim()); // the model probes which name exists
        XlstmLarge single = XlstmLarge.load(cfg, w);
        Map<String, Tensor> made = w.tensors();
        assertTrue(made.containsKey("backbone.blocks.0.mlstm_layer.multihead_norm.bias"));
        assertTrue(made.containsKey("backbone.blocks.1.norm_ffn.bias"));
        assertFalse(made.containsKey("backbone.out_norm.weight"));
        assertEquals(12, made.get("backbone.blocks.0.mlstm_layer.q.weight").dim(0));
        XlstmLarge m = single;
        if (fused) {
            Map<String, Tensor> f = new LinkedHashMap<>();
            for (var e : made.entrySet()) f.put(e.getKey(), e.getValue());
            for (int i = 0; i < cfg.numBlocks(); i++) {
                String p = "backbone.blocks." + i + ".";
                String l = p + "mlstm_layer.";
                for (String kind : new String[] {"weight", "bias"}) {
                    f.put(l + "qkv_opreact." + kind, XlstmLargeGoldenTest.cat0(f.remove(l + "q." + kind),
                            f.remove(l + "k." + kind), f.remove(l + "v." + kind), f.remove(l + "ogate_preact." + kind)));
                    f.put(l + "ifgate_preact." + kind, XlstmLargeGoldenTest.cat0(f.remove(l + "igate_preact." + kind),
                            f.remove(l + "fgate_preact." + kind)));
                    f.put(p + "ffn.proj_up_gate_z." + kind, XlstmLargeGoldenTest.cat0(f.remove(p + "ffn.proj_up_gate." + kind),
                            f.remove(p + "ffn.proj_up." + kind)));
                }
            }
            m = XlstmLarge.load(cfg.withWeightMode("fused"), WeightStore.of(f, "fused"));
        }
        int b = 2, s = 11, v = cfg.vocabSize();
        long[] ids = new Random(5).longs(b * s, 0, v).toArray();
        LargeState full = m.newState(b);
        float[] one = m.forward(Tensor.ofLongs(ids, b, s), full).toFloatArray();
        for (float x : one) assertTrue(Math.abs(x) <= 2.0f, "logit soft cap 2 exceeded: " + x);
        if (fused) {
            assertClose(single.forward(Tensor.ofLongs(ids, b, s), null).toFloatArray(), one, 1e-5, "fused vs single");
        }
        LargeState st = m.newState(b);
        float[] pieces = new float[one.length];
        int[] cuts = {0, 1, 6, 7, 11};
        for (int p = 0; p + 1 < cuts.length; p++) {
            int from = cuts[p], len = cuts[p + 1] - from;
            long[] piece = new long[b * len];
            for (int r = 0; r < b; r++) System.arraycopy(ids, r * s + from, piece, r * len, len);
            float[] lg = m.forward(Tensor.ofLongs(piece, b, len), st).toFloatArray();
            for (int r = 0; r < b; r++) System.arraycopy(lg, r * len * v, pieces, (r * s + from) * v, len * v);
        }
        assertClose(one, pieces, 1e-4, "one pass vs pieces");
        for (int i = 0; i < cfg.numBlocks(); i++) {
            assertClose(full.c(i).toFloatArray(), st.c(i).toFloatArray(), 1e-4, "state c " + i);
            assertClose(full.m(i).toFloatArray(), st.m(i).toFloatArray(), 1e-4, "state m " + i);
        }
        // greedy generation continues the same state machine
        long[][] gen = m.generateGreedy(new long[][] {{1, 2, 3}, {4, 5, 6}}, 4);
        assertEquals(2, gen.length);
        assertEquals(4, gen[0].length);
    }

    static void assertClose(float[] ref, float[] out, double rel, String what) {
        assertEquals(ref.length, out.length, what);
        double max = 0, err = 0;
        for (int i = 0; i < ref.length; i++) {
            max = Math.max(max, Math.abs(ref[i]));
            err = Math.max(err, Math.abs(ref[i] - out[i]));
        }
        assertTrue(err <= rel * Math.max(1, max), what + ": max err " + err + " (max |ref| " + max + ")");
    }

    private static double sig(double v) { return 1 / (1 + Math.exp(-v)); }

    private static Tensor rand(Random rnd, long... shape) {
        float[] v = new float[Math.toIntExact(Tensor.count(shape))];
        for (int i = 0; i < v.length; i++) v[i] = (float) rnd.nextGaussian();
        return Tensor.of(v, shape);
    }


    private static float[][] arrays(Tensor[] t) {
        float[][] s = new float[t.length][];
        for (int i = 0; i < t.length; i++) s[i] = t[i].toFloatArray();
        return s;
    }
}
