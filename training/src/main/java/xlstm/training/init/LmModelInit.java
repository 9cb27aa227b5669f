package xlstm.training.init;

import java.util.LinkedHashMap;
import java.util.Map;
import xlstm.runtime.config.FeedForwardConfig;
import xlstm.runtime.config.LmModelConfig;
import xlstm.runtime.config.MlstmBlockConfig;
import xlstm.runtime.config.MlstmLayerConfig;
import xlstm.runtime.config.SlstmBlockConfig;
import xlstm.runtime.config.SlstmLayerConfig;
import xlstm.runtime.config.XlstmBlockConfig;
import xlstm.runtime.tensor.Tensor;

/**
 * The reference initialisation of {@code xLSTMLMModel} after {@code reset_parameters()} (SPEC §6.1, §3.2, §2.6):
 * every parameter by its {@code state_dict} name, float32, in module order, reproducible from the seed. With
 * {@code tie_weights} only {@code token_embedding.weight} is given (the runtime reads the head from it).
 */
public final class LmModelInit {
    private LmModelInit() {}

    public static Map<String, Tensor> of(LmModelConfig cfg, long seed) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        int e = cfg.embeddingDim(), v = cfg.vocabSize(), nb = cfg.numBlocks();
        out.put("token_embedding.weight", Inits.normal(seed, "token_embedding.weight", 0, Inits.smallInitStd(e), v, e));
        for (int i = 0; i < nb; i++) {
            String p = "xlstm_block_stack.blocks." + i + ".";
            XlstmBlockConfig bc = cfg.block(i);
            out.put(p + "xlstm_norm.weight", Inits.constant(0f, e)); // LayerNorm stores γ − 1
            if (bc instanceof MlstmBlockConfig m) mlstmLayer(out, p + "xlstm.", m.mlstm(), seed);
            else slstmLayer(out, p + "xlstm.", ((SlstmBlockConfig) bc).slstm(), seed);
            FeedForwardConfig ff = bc.feedforward();
            if (ff != null) {
                out.put(p + "ffn_norm.weight", Inits.constant(0f, e));
                feedForward(out, p + "ffn.", ff, nb, seed);
            }
        }
        if (cfg.stack().addPostBlocksNorm()) out.put("xlstm_block_stack.post_blocks_norm.weight", Inits.constant(0f, e));
        if (!cfg.tieWeights()) out.put("lm_head.weight", Inits.normal(seed, "lm_head.weight", 0, Inits.smallInitStd(e), v, e));
        return out;
    }

    private static void mlstmLayer(Map<String, Tensor> out, String p, MlstmLayerConfig c, long seed) {
        int e = c.embeddingDim(), inner = c.innerEmbeddingDim(), nh = c.numHeads(), ks = c.conv1dKernelSize();
        int nhp = c.qkvProjHeads(), bs = c.qkvProjBlocksize();
        double small = Inits.smallInitStd(e);
        out.put(p + "learnable_skip", Inits.constant(1f, inner));
        normal(out, seed, p + "proj_up.weight", small, 2L * inner, e);
        if (c.bias()) out.put(p + "proj_up.bias", Inits.constant(0f, 2L * inner));
        for (String qkv : new String[] {"q_proj", "k_proj", "v_proj"}) {
            normal(out, seed, p + qkv + ".weight", small, nhp, bs, bs); // small_init over E, not I (SPEC §6.1)
            if (c.bias()) out.put(p + qkv + ".bias", Inits.constant(0f, inner));
        }
        if (ks > 0) conv(out, seed, p + "conv1d.conv.", inner, ks);
        String cell = p + "mlstm_cell.";
        out.put(cell + "igate.weight", Inits.constant(0f, nh, 3L * inner));
        out.put(cell + "igate.bias", Inits.normal(seed, cell + "igate.bias", 0, 0.1, nh));
        out.put(cell + "fgate.weight", Inits.constant(0f, nh, 3L * inner));
        out.put(cell + "fgate.bias", Tensor.of(Inits.linspace(3.0, 6.0, nh), nh));
        out.put(cell + "outnorm.weight", Inits.constant(0f, inner));
        normal(out, seed, p + "proj_down.weight", Inits.wangInitStd(e, c.numBlocks()), e, inner);
        if (c.bias()) out.put(p + "proj_down.bias", Inits.constant(0f, e));
    }

    private static void slstmLayer(Map<String, Tensor> out, String p, SlstmLayerConfig c, long seed) {
        int e = c.embeddingDim(), nh = c.numHeads(), dh = c.headDim(), ks = c.conv1dKernelSize();
        if (ks > 0) conv(out, seed, p + "conv1d.conv.", e, ks);
        for (String gate : new String[] {"fgate", "igate", "zgate", "ogate"}) {
            normal(out, seed, p + gate + ".weight", Inits.smallInitStd(e), nh, dh, dh);
        }
        String cell = p + "slstm_cell.";
        String rName = cell + "_recurrent_kernel_";
        long[] rShape = c.vanillaBackend() ? new long[] {nh, 4L * dh, dh} : new long[] {nh, dh, 4L * dh};
        out.put(rName, c.recurrentWeightInit().equals("standard")
                ? Inits.uniform(seed, rName, 1 / Math.sqrt(e), rShape) : Inits.constant(0f, rShape));
        out.put(cell + "_bias_", SlstmBias.of(c, seed, cell + "_bias_"));
        if (c.groupNormWeight()) out.put(p + "group_norm.weight", Inits.constant(0f, e));
    }

    private static void feedForward(Map<String, Tensor> out, String p, FeedForwardConfig c, int numBlocks, long seed) {
        int e = c.embeddingDim(), up = c.projUpDim();
        normal(out, seed, p + "proj_up.weight", Inits.smallInitStd(e), 2L * up, e);
        if (c.bias()) out.put(p + "proj_up.bias", Inits.constant(0f, 2L * up));
        normal(out, seed, p + "proj_down.weight", Inits.wangInitStd(e, numBlocks), e, up);
        if (c.bias()) out.put(p + "proj_down.bias", Inits.constant(0f, e));
    }

    /** A depthwise {@code nn.Conv1d}'s default: weight and bias U(±1/√fan_in), fan_in = kernel size. */
    private static void conv(Map<String, Tensor> out, long seed, String p, int features, int ks) {
        double bound = 1 / Math.sqrt(ks);
        out.put(p + "weight", Inits.uniform(seed, p + "weight", bound, features, 1, ks));
        out.put(p + "bias", Inits.uniform(seed, p + "bias", bound, features));
    }

    private static void normal(Map<String, Tensor> out, long seed, String name, double std, long... shape) {
        out.put(name, Inits.normal(seed, name, 0, std, shape));
    }
}
