package xlstm.runtime.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The sLSTM layer and its cell ({@code sLSTMLayerConfig(sLSTMCellConfig)}), resolved as {@code __post_init__}
 * does: {@code hidden_size ← embedding_dim}; {@code num_heads <= 0 → 1}; {@code num_states} from the function
 * (slstm 4, lstm 2); missing dtypes filled ({@code dtype_b←dtype} when null, {@code dtype_a←dtype_b},
 * {@code dtype_r←dtype}, {@code dtype_w←dtype}, {@code dtype_s←dtype_w}, {@code dtype_g←dtype_r}).
 *
 * @param embeddingDim                  {@code embedding_dim} (-1; set by the block stack); also {@code hidden_size}
 * @param numHeads                      {@code num_heads} (4)
 * @param backend                       {@code backend}: vanilla | cuda ("cuda"); decides the storage of
 *                                      {@code _recurrent_kernel_} and {@code _bias_} (SPEC §2.5)
 * @param function                      {@code function}: slstm | lstm ("slstm")
 * @param biasInit                      {@code bias_init}: powerlaw_blockdependent | small_init | standard | zeros
 * @param recurrentWeightInit           {@code recurrent_weight_init}: zeros | standard ("zeros")
 * @param blockIdx                      {@code _block_idx} (0 alone; the block's index, or null, in a stack)
 * @param numBlocks                     {@code _num_blocks} (1 alone; the stack's count in a stack)
 * @param numGates                      {@code num_gates} (4; nothing else is implemented)
 * @param gradientRecurrentCut          {@code gradient_recurrent_cut} (false)
 * @param gradientRecurrentClipval      {@code gradient_recurrent_clipval} (null)
 * @param forwardClipval                {@code forward_clipval} (null; unused by the reference)
 * @param batchSize                     {@code batch_size} (8; a CUDA compile constant only)
 * @param inputShape                    {@code input_shape}: BSGNH | SBGNH ("BSGNH")
 * @param internalInputShape            {@code internal_input_shape}: SBNGH | SBGNH | SBNHG ("SBNGH")
 * @param outputShape                   {@code output_shape}: BNSH | SBH | BSH | SBNH ("BNSH")
 * @param constants                     {@code constants} ({})
 * @param dtype                         {@code dtype} ("bfloat16")
 * @param dtypeB                        {@code dtype_b} ("float32")
 * @param dtypeR                        {@code dtype_r} (← dtype)
 * @param dtypeW                        {@code dtype_w} (← dtype)
 * @param dtypeG                        {@code dtype_g} (← dtype_r)
 * @param dtypeS                        {@code dtype_s} (← dtype_w)
 * @param dtypeA                        {@code dtype_a} (← dtype_b)
 * @param enableAutomaticMixedPrecision {@code enable_automatic_mixed_precision} (true)
 * @param initialVal                    {@code initial_val} (0.0)
 * @param conv1dKernelSize              {@code conv1d_kernel_size} (4; 0 = no convolution)
 * @param groupNormWeight               {@code group_norm_weight} (true)
 * @param dropout                       {@code dropout} (0.0; set by the block stack)
 */
public record SlstmLayerConfig(int embeddingDim, int numHeads, String backend, String function, String biasInit,
                               String recurrentWeightInit, Integer blockIdx, Integer numBlocks, int numGates,
                               boolean gradientRecurrentCut, Double gradientRecurrentClipval, Double forwardClipval,
                               int batchSize, String inputShape, String internalInputShape, String outputShape,
                               Map<String, Object> constants, String dtype, String dtypeB, String dtypeR,
                               String dtypeW, String dtypeG, String dtypeS, String dtypeA,
                               boolean enableAutomaticMixedPrecision, double initialVal, int conv1dKernelSize,
                               boolean groupNormWeight, double dropout) {

    public static final String[] BACKENDS = {"vanilla", "cuda"};
    public static final String[] FUNCTIONS = {"slstm", "lstm"};
    public static final String[] BIAS_INITS = {"powerlaw_blockdependent", "small_init", "standard", "zeros"};
    public static final String[] RECURRENT_WEIGHT_INITS = {"zeros", "standard"};
    public static final String[] DTYPES = {"bfloat16", "float16", "float32"};
    public static final String[] INPUT_SHAPES = {"BSGNH", "SBGNH"};
    public static final String[] INTERNAL_INPUT_SHAPES = {"SBNGH", "SBGNH", "SBNHG"};
    public static final String[] OUTPUT_SHAPES = {"BNSH", "SBH", "BSH", "SBNH"};

    public SlstmLayerConfig {
        if (numHeads <= 0) numHeads = 1; // sLSTMCellConfig.__post_init__ coerces
        ConfigError.oneOf(backend, "backend", BACKENDS);
        ConfigError.oneOf(function, "function", FUNCTIONS);
        ConfigError.oneOf(biasInit, "bias_init", BIAS_INITS);
        ConfigError.oneOf(recurrentWeightInit, "recurrent_weight_init", RECURRENT_WEIGHT_INITS);
        if (numGates != 4) throw ConfigError.invalid("num_gates", numGates, "4 (the only value implemented)");
        ConfigError.positive(batchSize, "batch_size");
        ConfigError.oneOf(inputShape, "input_shape", INPUT_SHAPES);
        ConfigError.oneOf(internalInputShape, "internal_input_shape", INTERNAL_INPUT_SHAPES);
        ConfigError.oneOf(outputShape, "output_shape", OUTPUT_SHAPES);
        constants = constants == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(constants));
        ConfigError.oneOf(dtype, "dtype", DTYPES);
        if (dtypeB == null) dtypeB = dtype;
        if (dtypeA == null) dtypeA = dtypeB;
        if (dtypeR == null) dtypeR = dtype;
        if (dtypeW == null) dtypeW = dtype;
        if (dtypeS == null) dtypeS = dtypeW;
        if (dtypeG == null) dtypeG = dtypeR;
        ConfigError.oneOf(dtypeB, "dtype_b", DTYPES);
        ConfigError.oneOf(dtypeR, "dtype_r", DTYPES);
        ConfigError.oneOf(dtypeW, "dtype_w", DTYPES);
        ConfigError.oneOf(dtypeG, "dtype_g", DTYPES);
        ConfigError.oneOf(dtypeS, "dtype_s", DTYPES);
        ConfigError.oneOf(dtypeA, "dtype_a", DTYPES);
        ConfigError.nonNegative(conv1dKernelSize, "conv1d_kernel_size");
        ConfigError.probability(dropout, "dropout");
    }

    /** All defaults ({@code sLSTMLayerConfig()} after {@code __post_init__}). */
    public static SlstmLayerConfig defaults() {
        return new SlstmLayerConfig(-1, 4, "cuda", "slstm", "powerlaw_blockdependent", "zeros", 0, 1, 4, false,
                null, null, 8, "BSGNH", "SBNGH", "BNSH", Map.of(), "bfloat16", "float32", null, null, null, null,
                null, true, 0.0, 4, true, 0.0);
    }

    /** {@code hidden_size} (= {@code embedding_dim}). */
    public int hiddenSize() { return embeddingDim; }

    /** {@code num_states}: 4 for slstm (y, c, n, m), 2 for lstm (y, c). */
    public int numStates() { return function.equals("lstm") ? 2 : 4; }

    /** {@code head_dim = hidden_size // num_heads}. */
    public int headDim() { return embeddingDim / numHeads; }

    /** True for the vanilla (PyTorch) backend's parameter storage, false for the CUDA one. */
    public boolean vanillaBackend() { return backend.equals("vanilla"); }

    /** Checks the sizes once {@code embedding_dim} is known: E positive and divisible by {@code num_heads}. */
    public void validateSizes() {
        if (embeddingDim <= 0) throw ConfigError.invalid("embedding_dim", embeddingDim, "a positive integer");
        if (embeddingDim % numHeads != 0) {
            throw new ConfigError("num_heads", numHeads + " does not divide the hidden size " + embeddingDim);
        }
    }

    /** The config after the stack set {@code dropout} and {@code embedding_dim}. */
    public SlstmLayerConfig withStack(int embeddingDim, double dropout) {
        return new SlstmLayerConfig(embeddingDim, numHeads, backend, function, biasInit, recurrentWeightInit, blockIdx,
                numBlocks, numGates, gradientRecurrentCut, gradientRecurrentClipval, forwardClipval, batchSize,
                inputShape, internalInputShape, outputShape, constants, dtype, dtypeB, dtypeR, dtypeW, dtypeG, dtypeS,
                dtypeA, enableAutomaticMixedPrecision, initialVal, conv1dKernelSize, groupNormWeight, dropout);
    }

    /** The config after a block set {@code _block_idx} and {@code _num_blocks}. */
    public SlstmLayerConfig withBlock(Integer blockIdx, Integer numBlocks) {
        return new SlstmLayerConfig(embeddingDim, numHeads, backend, function, biasInit, recurrentWeightInit, blockIdx,
                numBlocks, numGates, gradientRecurrentCut, gradientRecurrentClipval, forwardClipval, batchSize,
                inputShape, internalInputShape, outputShape, constants, dtype, dtypeB, dtypeR, dtypeW, dtypeG, dtypeS,
                dtypeA, enableAutomaticMixedPrecision, initialVal, conv1dKernelSize, groupNormWeight, dropout);
    }

    public SlstmLayerConfig withBackend(String backend) {
        return new SlstmLayerConfig(embeddingDim, numHeads, backend, function, biasInit, recurrentWeightInit, blockIdx,
                numBlocks, numGates, gradientRecurrentCut, gradientRecurrentClipval, forwardClipval, batchSize,
                inputShape, internalInputShape, outputShape, constants, dtype, dtypeB, dtypeR, dtypeW, dtypeG, dtypeS,
                dtypeA, enableAutomaticMixedPrecision, initialVal, conv1dKernelSize, groupNormWeight, dropout);
    }

    public static SlstmLayerConfig fromJson(JsonNode node) { return parse(ConfigNode.of(node)); }

    public static SlstmLayerConfig parse(ConfigNode c) {
        SlstmLayerConfig d = defaults();
        int e = c.getInt("embedding_dim", d.embeddingDim);
        c.accept("hidden_size", "num_states"); // overwritten by __post_init__
        int nh = c.getInt("num_heads", d.numHeads);
        String backend = c.getString("backend", d.backend);
        String function = c.getString("function", d.function);
        String biasInit = c.getString("bias_init", d.biasInit);
        String rwi = c.getString("recurrent_weight_init", d.recurrentWeightInit);
        Integer idx = c.present("_block_idx") ? c.getIntOrNull("_block_idx", null) : d.blockIdx;
        Integer nb = c.present("_num_blocks") ? c.getIntOrNull("_num_blocks", null) : d.numBlocks;
        int gates = c.getInt("num_gates", d.numGates);
        boolean cut = c.getBool("gradient_recurrent_cut", d.gradientRecurrentCut);
        Double gclip = c.getDoubleOrNull("gradient_recurrent_clipval", null);
        Double fclip = c.getDoubleOrNull("forward_clipval", null);
        int batch = c.getInt("batch_size", d.batchSize);
        String in = c.getString("input_shape", d.inputShape);
        String internal = c.getString("internal_input_shape", d.internalInputShape);
        String out = c.getString("output_shape", d.outputShape);
        JsonNode constNode = c.raw("constants");
        Map<String, Object> constants;
        if (constNode == null) {
            constants = Map.of();
        } else if (constNode.isObject()) {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = new ObjectMapper().convertValue(constNode, LinkedHashMap.class);
            constants = m;
        } else {
            throw ConfigError.invalid(c.name("constants"), constNode.toString(), "a dictionary");
        }
        String dtype = c.getString("dtype", d.dtype);
        // dtype_b defaults to "float32"; an explicit null means "same as dtype"
        String dtypeB = c.present("dtype_b") ? c.getString("dtype_b", null) : "float32";
        String dtypeR = c.getString("dtype_r", null);
        String dtypeW = c.getString("dtype_w", null);
        String dtypeG = c.getString("dtype_g", null);
        String dtypeS = c.getString("dtype_s", null);
        String dtypeA = c.getString("dtype_a", null);
        boolean amp = c.getBool("enable_automatic_mixed_precision", d.enableAutomaticMixedPrecision);
        double init = c.getDouble("initial_val", d.initialVal);
        int ks = c.getInt("conv1d_kernel_size", d.conv1dKernelSize);
        boolean gnw = c.getBool("group_norm_weight", d.groupNormWeight);
        double dropout = c.getDouble("dropout", d.dropout);
        c.finish();
        return c.build(() -> new SlstmLayerConfig(e, nh, backend, function, biasInit, rwi, idx, nb, gates, cut, gclip,
                fclip, batch, in, internal, out, constants, dtype, dtypeB, dtypeR, dtypeW, dtypeG, dtypeS, dtypeA, amp,
                init, ks, gnw, dropout));
    }

    /** The resolved dictionary, keys in the reference's field order. */
    public ObjectNode toJson() {
        ObjectNode o = ConfigNode.object();
        o.put("hidden_size", hiddenSize());
        o.put("num_heads", numHeads);
        o.put("num_states", numStates());
        o.put("backend", backend);
        o.put("function", function);
        o.put("bias_init", biasInit);
        o.put("recurrent_weight_init", recurrentWeightInit);
        MlstmBlockConfig.putNullable(o, "_block_idx", blockIdx);
        MlstmBlockConfig.putNullable(o, "_num_blocks", numBlocks);
        o.put("num_gates", numGates);
        o.put("gradient_recurrent_cut", gradientRecurrentCut);
        if (gradientRecurrentClipval == null) o.putNull("gradient_recurrent_clipval");
        else o.put("gradient_recurrent_clipval", gradientRecurrentClipval.doubleValue());
        if (forwardClipval == null) o.putNull("forward_clipval");
        else o.put("forward_clipval", forwardClipval.doubleValue());
        o.put("batch_size", batchSize);
        o.put("input_shape", inputShape);
        o.put("internal_input_shape", internalInputShape);
        o.put("output_shape", outputShape);
        o.set("constants", new ObjectMapper().valueToTree(constants));
        o.put("dtype", dtype);
        o.put("dtype_b", dtypeB);
        o.put("dtype_r", dtypeR);
        o.put("dtype_w", dtypeW);
        o.put("dtype_g", dtypeG);
        o.put("dtype_s", dtypeS);
        o.put("dtype_a", dtypeA);
        o.put("enable_automatic_mixed_precision", enableAutomaticMixedPrecision);
        o.put("initial_val", initialVal);
        o.put("embedding_dim", embeddingDim);
        o.put("conv1d_kernel_size", conv1dKernelSize);
        o.put("group_norm_weight", groupNormWeight);
        o.put("dropout", dropout);
        return o;
    }
}
