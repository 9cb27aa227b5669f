package xlstm.training.init;

import java.util.LinkedHashMap;
import java.util.Map;
import xlstm.runtime.config.XlstmLargeConfig;
import xlstm.runtime.tensor.Tensor;

/**
 * The xLSTM 7B training initialisation of {@code xLSTMLarge} (SPEC §6.2, the Hugging Face port's
 * {@code _init_weights}; the reference repo has none): embedding, q, k, v, lm_head small_init(E); the gates'
 * weights 0 with input-gate bias −10 and forget-gate bias linspace(3, 6, NH); ogate_preact weight 0; out_proj
 * wang_init(E), ffn.proj_down wang_init(P); linear biases 0, norm weights 1. Of the two port versions that
 * disagree on the FFN's up-projections, this takes small_init(E) for both and keeps norm_ffn at 1 (the other
 * zeroes proj_up_gate, which would switch the FFN off). Names are the reference's {@code state_dict} in single
 * weight mode ({@code embedding.weight}); a fused config is rejected by the caller's loader, not converted.
 */
public final class LargeModelInit {
    private LargeModelInit() {}

    public static Map<String, Tensor> of(XlstmLargeConfig c, long seed) {
        int e = c.embeddingDim(), nh = c.numHeads(), dqk = c.qkDim(), dv = c.vDim(), p = c.ffnUpProjDim();
        int v = c.vocabSize(), nb = c.numBlocks();
        boolean bias = c.useBias();
        double small = Inits.smallInitStd(e);
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("embedding.weight", Inits.normal(seed, "embedding.weight", 0, small, v, e));
        for (int i = 0; i < nb; i++) {
            String b = "backbone.blocks." + i + ".", l = b + "mlstm_layer.";
            norm(out, b + "norm_mlstm.", e, bias);
            linear(out, seed, l + "q.", dqk, e, small, bias);
            linear(out, seed, l + "k.", dqk, e, small, bias);
            linear(out, seed, l + "v.", dv, e, small, bias);
            linear(out, seed, l + "ogate_preact.", dv, e, 0, bias);
            out.put(l + "igate_preact.weight", Inits.constant(0f, nh, e));
            out.put(l + "igate_preact.bias", Inits.constant(-10f, nh));
            out.put(l + "fgate_preact.weight", Inits.constant(0f, nh, e));
            out.put(l + "fgate_preact.bias", Tensor.of(Inits.linspace(3.0, 6.0, nh), nh));
            norm(out, l + "multihead_norm.", dv, bias);
            linear(out, seed, l + "out_proj.", e, dv, Inits.wangInitStd(e, nb), bias);
            norm(out, b + "norm_ffn.", e, bias);
            linear(out, seed, b + "ffn.proj_up_gate.", p, e, small, bias);
            linear(out, seed, b + "ffn.proj_up.", p, e, small, bias);
            linear(out, seed, b + "ffn.proj_down.", e, p, Inits.wangInitStd(p, nb), bias);
        }
        if (c.addOutNorm()) norm(out, "backbone.out_norm.", e, bias);
        out.put("lm_head.weight", Inits.normal(seed, "lm_head.weight", 0, small, v, e));
        return out;
    }

    /** A Linear(in → rows): weight N(0, std) (all zero for std 0), bias 0. */
    private static void linear(Map<String, Tensor> out, long seed, String p, int rows, int in, double std, boolean bias) {
        out.put(p + "weight", std == 0 ? Inits.constant(0f, rows, in) : Inits.normal(seed, p + "weight", 0, std, rows, in));
        if (bias) out.put(p + "bias", Inits.constant(0f, rows));
    }

    private static void norm(Map<String, Tensor> out, String p, int dim, boolean bias) {
        out.put(p + "weight", Inits.constant(1f, dim));
        if (bias) out.put(p + "bias", Inits.constant(0f, dim));
    }
}
