package xlstm.runtime.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;

/**
 * {@code xlstm.xlstm_large.model.xLSTMLargeConfig}: the xLSTM 7B architecture. Derived sizes follow the
 * reference: {@code Dqk = int(E·qk_dim_factor)}, {@code Dv = int(E·v_dim_factor)}, {@code DHQK = Dqk/NH},
 * {@code DHHV = Dv/NH}, FFN {@code P = int(((E·ffn_proj_factor + m − 1) // m)·m)} with Python float floor
 * division ({@code m = ffn_round_up_to_multiple_of}).
 *
 * @param embeddingDim              {@code embedding_dim} (required)
 * @param numHeads                  {@code num_heads} (required)
 * @param numBlocks                 {@code num_blocks} (required)
 * @param vocabSize                 {@code vocab_size} (required)
 * @param useBias                   {@code use_bias} (false)
 * @param normEps                   {@code norm_eps} (1e-6)
 * @param normReductionForceFloat32 {@code norm_reduction_force_float32} (true)
 * @param addOutNorm                {@code add_out_norm} (true)
 * @param qkDimFactor               {@code qk_dim_factor} (0.5)
 * @param vDimFactor                {@code v_dim_factor} (1.0)
 * @param chunkwiseKernel           {@code chunkwise_kernel} ("chunkwise--triton_limit_chunk")
 * @param sequenceKernel            {@code sequence_kernel} ("native_sequence__triton")
 * @param stepKernel                {@code step_kernel} ("triton")
 * @param mode                      {@code mode}: train | train_with_padding | inference ("train")
 * @param chunkSize                 {@code chunk_size} (64)
 * @param returnLastStates          {@code return_last_states} (false)
 * @param autocastKernelDtype       {@code autocast_kernel_dtype} ("bfloat16")
 * @param eps                       {@code eps}: the cell's eps (1e-6)
 * @param inferenceStateDtype       {@code inference_state_dtype} ("float32")
 * @param ffnProjFactor             {@code ffn_proj_factor} (2.6667)
 * @param ffnRoundUpToMultipleOf    {@code ffn_round_up_to_multiple_of} (64)
 * @param gateSoftCap               {@code gate_soft_cap} (15.0; 0 = no cap, which is what {@code null} means in the reference)
 * @param outputLogitSoftCap        {@code output_logit_soft_cap} (30.0; 0 = no cap, likewise)
 * @param weightMode                {@code weight_mode}: single | fused ("single")
 */
public record XlstmLargeConfig(int embeddingDim, int numHeads, int numBlocks, int vocabSize, boolean useBias,
                               double normEps, boolean normReductionForceFloat32, boolean addOutNorm,
                               double qkDimFactor, double vDimFactor, String chunkwiseKernel, String sequenceKernel,
                               String stepKernel, String mode, int chunkSize, boolean returnLastStates,
                               String autocastKernelDtype, double eps, String inferenceStateDtype,
                               double ffnProjFactor, int ffnRoundUpToMultipleOf, double gateSoftCap,
                               double outputLogitSoftCap, String weightMode) {

    /** The torch chunkwise/parallel kernel registry of {@code mlstm_kernels}. */
    public static final String[] CHUNKWISE_KERNELS = {
            "chunkwise--native_autograd", "chunkwise--native_custbw", "chunkwise--triton_limit_chunk",
            "chunkwise--triton_xl_chunk", "chunkwise--triton_xl_chunk_siging", "parallel--native_autograd",
            "parallel--native_custbw", "parallel--native_stablef_autograd", "parallel--native_stablef_custbw",
            "parallel--triton_limit_headdim", "parallel--native_siging_autograd", "parallel--native_siging_custbw"};
    public static final String[] SEQUENCE_KERNELS = {"native_sequence__native", "native_sequence__triton"};
    public static final String[] STEP_KERNELS = {"native", "triton"};
    public static final String[] MODES = {"train", "train_with_padding", "inference"};
    public static final String[] DTYPES = {"float32", "bfloat16", "float16"};
    public static final String[] WEIGHT_MODES = {"single", "fused"};

    public XlstmLargeConfig {
        ConfigError.positive(embeddingDim, "embedding_dim");
        ConfigError.positive(numHeads, "num_heads");
        ConfigError.positive(numBlocks, "num_blocks");
        ConfigError.positive(vocabSize, "vocab_size");
        ConfigError.positive(normEps, "norm_eps");
        ConfigError.positive(qkDimFactor, "qk_dim_factor");
        ConfigError.positive(vDimFactor, "v_dim_factor");
        ConfigError.oneOf(chunkwiseKernel, "chunkwise_kernel", CHUNKWISE_KERNELS);
        ConfigError.oneOf(sequenceKernel, "sequence_kernel", SEQUENCE_KERNELS);
        ConfigError.oneOf(stepKernel, "step_kernel", STEP_KERNELS);
        ConfigError.oneOf(mode, "mode", MODES);
        ConfigError.positive(chunkSize, "chunk_size");
        ConfigError.oneOf(autocastKernelDtype, "autocast_kernel_dtype", DTYPES);
        if (!(eps >= 0) || Double.isInfinite(eps)) throw ConfigError.invalid("eps", eps, "a number >= 0");
        ConfigError.oneOf(inferenceStateDtype, "inference_state_dtype", DTYPES);
        ConfigError.positive(ffnProjFactor, "ffn_proj_factor");
        ConfigError.positive(ffnRoundUpToMultipleOf, "ffn_round_up_to_multiple_of");
        noCapOrPositive(gateSoftCap, "gate_soft_cap");
        noCapOrPositive(outputLogitSoftCap, "output_logit_soft_cap");
        ConfigError.oneOf(weightMode, "weight_mode", WEIGHT_MODES);
        int dqk = Sizes.scaledDim(embeddingDim, qkDimFactor);
        int dv = Sizes.scaledDim(embeddingDim, vDimFactor);
        if (dqk <= 0 || dqk % numHeads != 0) {
            throw new ConfigError("num_heads", numHeads + " does not divide the query/key dim " + dqk
                    + " (= int(embedding_dim " + embeddingDim + " * qk_dim_factor " + qkDimFactor + "))");
        }
        if (dv <= 0 || dv % numHeads != 0) {
            throw new ConfigError("num_heads", numHeads + " does not divide the value dim " + dv
                    + " (= int(embedding_dim " + embeddingDim + " * v_dim_factor " + vDimFactor + "))");
        }
    }

    /** The required fields with every other field at its {@code xLSTMLargeConfig} default. */
    public static XlstmLargeConfig of(int embeddingDim, int numHeads, int numBlocks, int vocabSize) {
        return new XlstmLargeConfig(embeddingDim, numHeads, numBlocks, vocabSize, false, 1e-6, true, true, 0.5, 1.0,
                "chunkwise--triton_limit_chunk", "native_sequence__triton", "triton", "train", 64, false, "bfloat16",
                1e-6, "float32", 2.6667, 64, 15.0, 30.0, "single");
    }

    /** {@code qk_dim} (Dqk) = int(E·qk_dim_factor). */
    public int qkDim() { return Sizes.scaledDim(embeddingDim, qkDimFactor); }

    /** {@code v_dim} (Dv) = int(E·v_dim_factor). */
    public int vDim() { return Sizes.scaledDim(embeddingDim, vDimFactor); }

    /** DHQK = Dqk / NH. */
    public int qkHeadDim() { return qkDim() / numHeads; }

    /** DHHV = Dv / NH. */
    public int vHeadDim() { return vDim() / numHeads; }

    /** The FFN up-projection size P ({@code up_proj_dim}). */
    public int ffnUpProjDim() { return Sizes.roundUpToNextMultipleOf(embeddingDim * ffnProjFactor, ffnRoundUpToMultipleOf); }

    public boolean fused() { return weightMode.equals("fused"); }

    public XlstmLargeConfig withWeightMode(String weightMode) {
        return new XlstmLargeConfig(embeddingDim, numHeads, numBlocks, vocabSize, useBias, normEps,
                normReductionForceFloat32, addOutNorm, qkDimFactor, vDimFactor, chunkwiseKernel, sequenceKernel,
                stepKernel, mode, chunkSize, returnLastStates, autocastKernelDtype, eps, inferenceStateDtype,
                ffnProjFactor, ffnRoundUpToMultipleOf, gateSoftCap, outputLogitSoftCap, weightMode);
    }

    public XlstmLargeConfig withMode(String mode, boolean returnLastStates) {
        return new XlstmLargeConfig(embeddingDim, numHeads, numBlocks, vocabSize, useBias, normEps,
                normReductionForceFloat32, addOutNorm, qkDimFactor, vDimFactor, chunkwiseKernel, sequenceKernel,
                stepKernel, mode, chunkSize, returnLastStates, autocastKernelDtype, eps, inferenceStateDtype,
                ffnProjFactor, ffnRoundUpToMultipleOf, gateSoftCap, outputLogitSoftCap, weightMode);
    }

    public XlstmLargeConfig withChunkSize(int chunkSize) {
        return new XlstmLargeConfig(embeddingDim, numHeads, numBlocks, vocabSize, useBias, normEps,
                normReductionForceFloat32, addOutNorm, qkDimFactor, vDimFactor, chunkwiseKernel, sequenceKernel,
                stepKernel, mode, chunkSize, returnLastStates, autocastKernelDtype, eps, inferenceStateDtype,
                ffnProjFactor, ffnRoundUpToMultipleOf, gateSoftCap, outputLogitSoftCap, weightMode);
    }

    public static XlstmLargeConfig fromJson(JsonNode node) { return parse(ConfigNode.of(node)); }

    /** Reads a JSON or YAML file of {@code xLSTMLargeConfig} field names (e.g. a checkpoint's config.yaml). */
    public static XlstmLargeConfig load(Path file) { return ConfigFiles.parse(file, XlstmLargeConfig::fromJson); }

    /** Reads the dictionary of {@code xLSTMLargeConfig} field names; the four size fields are required. */
    public static XlstmLargeConfig parse(ConfigNode c) {
        XlstmLargeConfig r = read(c, Defaults.LARGE, null);
        c.finish();
        return r;
    }

    /** Defaults of one dialect: xLSTMLargeConfig's own, or transformers' xLSTMConfig (the 7B). */
    enum Defaults {
        LARGE("chunkwise--triton_limit_chunk", "native_sequence__triton", "triton", "train", false, 2.6667),
        HF("chunkwise--native_autograd", "native_sequence__native", "native", "inference", true, 2.667);

        final String chunkwise, sequence, step, mode;
        final boolean returnLastStates;
        final double ffnProjFactor;

        Defaults(String chunkwise, String sequence, String step, String mode, boolean rls, double ffn) {
            this.chunkwise = chunkwise; this.sequence = sequence; this.step = step; this.mode = mode;
            this.returnLastStates = rls; this.ffnProjFactor = ffn;
        }
    }

    /**
     * Reads the xLSTMLargeConfig fields of {@code c}. {@code sizes} (E, NH, blocks, vocab) replaces the
     * required fields when non-null (the HF reader resolves them from its own keys).
     */
    static XlstmLargeConfig read(ConfigNode c, Defaults d, int[] sizes) {
        int e, nh, nb, v;
        if (sizes == null) {
            e = required(c, "embedding_dim");
            nh = required(c, "num_heads");
            nb = required(c, "num_blocks");
            v = required(c, "vocab_size");
        } else {
            e = sizes[0]; nh = sizes[1]; nb = sizes[2]; v = sizes[3];
        }
        boolean useBias = c.getBool("use_bias", false);
        double normEps = c.getDouble("norm_eps", 1e-6);
        boolean f32 = c.getBool("norm_reduction_force_float32", true);
        boolean outNorm = c.getBool("add_out_norm", true);
        double qk = c.getDouble("qk_dim_factor", 0.5);
        double vf = c.getDouble("v_dim_factor", 1.0);
        String chunkwise = c.getString("chunkwise_kernel", d.chunkwise);
        String sequence = c.getString("sequence_kernel", d.sequence);
        String step = c.getString("step_kernel", d.step);
        String mode = c.getString("mode", d.mode);
        int chunk = c.getInt("chunk_size", 64);
        boolean rls = c.getBool("return_last_states", d.returnLastStates);
        String autocast = c.getString("autocast_kernel_dtype", "bfloat16");
        double eps = c.getDouble("eps", 1e-6);
        String stateDtype = c.getString("inference_state_dtype", "float32");
        double ffn = c.getDouble("ffn_proj_factor", d.ffnProjFactor);
        int ffnMult = c.getInt("ffn_round_up_to_multiple_of", 64);
        double gateCap = softCap(c, "gate_soft_cap", 15.0);
        double logitCap = softCap(c, "output_logit_soft_cap", 30.0);
        String wm = c.getString("weight_mode", "single");
        return c.build(() -> new XlstmLargeConfig(e, nh, nb, v, useBias, normEps, f32, outNorm, qk, vf, chunkwise,
                sequence, step, mode, chunk, rls, autocast, eps, stateDtype, ffn, ffnMult, gateCap, logitCap, wm));
    }

    /** The reference's soft_cap(x, None) returns x unchanged: an explicit null means "no cap", stored as 0. */
    private static double softCap(ConfigNode c, String key, double def) {
        if (c.present(key) && !c.has(key)) {
            c.accept(key);
            return 0.0;
        }
        return c.getDouble(key, def);
    }

    private static void noCapOrPositive(double cap, String option) {
        if (cap != 0.0) ConfigError.positive(cap, option);
    }

    private static int required(ConfigNode c, String key) {
        if (!c.has(key)) throw new ConfigError(c.name(key), "is required");
        return c.getInt(key, 0);
    }

    /** The dictionary of {@code xLSTMLargeConfig} fields (as {@code asdict} writes it). */
    public ObjectNode toJson() {
        ObjectNode o = ConfigNode.object();
        o.put("embedding_dim", embeddingDim);
        o.put("num_heads", numHeads);
        o.put("num_blocks", numBlocks);
        o.put("vocab_size", vocabSize);
        o.put("use_bias", useBias);
        o.put("norm_eps", normEps);
        o.put("norm_reduction_force_float32", normReductionForceFloat32);
        o.put("add_out_norm", addOutNorm);
        o.put("qk_dim_factor", qkDimFactor);
        o.put("v_dim_factor", vDimFactor);
        o.put("chunkwise_kernel", chunkwiseKernel);
        o.put("sequence_kernel", sequenceKernel);
        o.put("step_kernel", stepKernel);
        o.put("mode", mode);
        o.put("chunk_size", chunkSize);
        o.put("return_last_states", returnLastStates);
        o.put("autocast_kernel_dtype", autocastKernelDtype);
        o.put("eps", eps);
        o.put("inference_state_dtype", inferenceStateDtype);
        o.put("ffn_proj_factor", ffnProjFactor);
        o.put("ffn_round_up_to_multiple_of", ffnRoundUpToMultipleOf);
        if (gateSoftCap == 0.0) o.putNull("gate_soft_cap"); else o.put("gate_soft_cap", gateSoftCap);
        if (outputLogitSoftCap == 0.0) o.putNull("output_logit_soft_cap"); else o.put("output_logit_soft_cap", outputLogitSoftCap);
        o.put("weight_mode", weightMode);
        return o;
    }
}
