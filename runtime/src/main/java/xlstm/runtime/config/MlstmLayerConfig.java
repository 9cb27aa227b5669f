package xlstm.runtime.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The mLSTM layer of the original architecture ({@code xlstm.blocks.mlstm.layer.mLSTMLayerConfig}).
 * {@link #innerEmbeddingDim()} is the resolved {@code _inner_embedding_dim = _proj_up_dim = ceil(proj_factor·E/64)·64}.
 *
 * @param projFactor              {@code proj_factor} (2.0)
 * @param roundProjUpDimUp        {@code round_proj_up_dim_up} (true)
 * @param roundProjUpToMultipleOf {@code round_proj_up_to_multiple_of} (64)
 * @param conv1dKernelSize        {@code conv1d_kernel_size} (4; 0 = no convolution)
 * @param qkvProjBlocksize        {@code qkv_proj_blocksize} (4)
 * @param numHeads                {@code num_heads} (4)
 * @param embeddingDim            {@code embedding_dim} (-1; set by the block stack)
 * @param bias                    {@code bias} (false; set by the block stack)
 * @param dropout                 {@code dropout} (0.0; set by the block stack)
 * @param contextLength           {@code context_length} (-1; set by the block stack)
 * @param numBlocks               {@code _num_blocks} (1; set by the block stack)
 */
public record MlstmLayerConfig(double projFactor, boolean roundProjUpDimUp, int roundProjUpToMultipleOf,
                               int conv1dKernelSize, int qkvProjBlocksize, int numHeads, int embeddingDim,
                               boolean bias, double dropout, int contextLength, int numBlocks) {

    public MlstmLayerConfig {
        ConfigError.positive(projFactor, "proj_factor");
        ConfigError.positive(roundProjUpToMultipleOf, "round_proj_up_to_multiple_of");
        ConfigError.nonNegative(conv1dKernelSize, "conv1d_kernel_size");
        ConfigError.positive(qkvProjBlocksize, "qkv_proj_blocksize");
        ConfigError.positive(numHeads, "num_heads");
        ConfigError.probability(dropout, "dropout");
    }

    public static MlstmLayerConfig defaults() {
        return new MlstmLayerConfig(2.0, true, 64, 4, 4, 4, -1, false, 0.0, -1, 1);
    }

    /** {@code _proj_up_dim}. */
    public int projUpDim() {
        return Sizes.projUpDim(projFactor, embeddingDim, roundProjUpDimUp, roundProjUpToMultipleOf);
    }

    /** {@code _inner_embedding_dim} (I): the width of the cell. */
    public int innerEmbeddingDim() { return projUpDim(); }

    /** The cell's head dimension {@code I / num_heads}. */
    public int headDim() { return innerEmbeddingDim() / numHeads; }

    /** Heads of the q/k/v {@code LinearHeadwiseExpand}: {@code I / qkv_proj_blocksize}. */
    public int qkvProjHeads() { return innerEmbeddingDim() / qkvProjBlocksize; }

    /**
     * Checks the sizes once {@code embedding_dim} is known (the block stack calls it): E positive, I divisible
     * by {@code num_heads} and by {@code qkv_proj_blocksize}, and a positive {@code context_length}.
     */
    public void validateSizes() {
        if (embeddingDim <= 0) throw ConfigError.invalid("embedding_dim", embeddingDim, "a positive integer");
        int inner = innerEmbeddingDim();
        if (inner <= 0) throw new ConfigError("proj_factor", "gives an inner size of " + inner);
        if (inner % numHeads != 0) {
            throw new ConfigError("num_heads", numHeads + " does not divide the inner embedding dim " + inner);
        }
        if (inner % qkvProjBlocksize != 0) {
            throw new ConfigError("qkv_proj_blocksize",
                    qkvProjBlocksize + " does not divide the inner embedding dim " + inner);
        }
        if (contextLength <= 0) {
            throw ConfigError.invalid("context_length", contextLength, "a positive integer (the mLSTM causal mask size)");
        }
    }

    /** The config after {@code xLSTMBlockStackConfig.__post_init__} set the shared values. */
    public MlstmLayerConfig withStack(int embeddingDim, boolean bias, double dropout, int contextLength, int numBlocks) {
        return new MlstmLayerConfig(projFactor, roundProjUpDimUp, roundProjUpToMultipleOf, conv1dKernelSize,
                qkvProjBlocksize, numHeads, embeddingDim, bias, dropout, contextLength, numBlocks);
    }

    public MlstmLayerConfig withNumBlocks(int n) {
        return withStack(embeddingDim, bias, dropout, contextLength, n);
    }

    public static MlstmLayerConfig fromJson(JsonNode node) { return parse(ConfigNode.of(node)); }

    public static MlstmLayerConfig parse(ConfigNode c) {
        MlstmLayerConfig d = defaults();
        double pf = c.getDouble("proj_factor", d.projFactor);
        boolean up = c.getBool("round_proj_up_dim_up", d.roundProjUpDimUp);
        int mult = c.getInt("round_proj_up_to_multiple_of", d.roundProjUpToMultipleOf);
        int ks = c.getInt("conv1d_kernel_size", d.conv1dKernelSize);
        int bs = c.getInt("qkv_proj_blocksize", d.qkvProjBlocksize);
        int nh = c.getInt("num_heads", d.numHeads);
        int e = c.getInt("embedding_dim", d.embeddingDim);
        boolean bias = c.getBool("bias", d.bias);
        double dropout = c.getDouble("dropout", d.dropout);
        int ctx = c.getInt("context_length", d.contextLength);
        int nb = c.getInt("_num_blocks", d.numBlocks);
        c.accept("_proj_up_dim", "_inner_embedding_dim", "_block_idx"); // derived / set per block
        c.finish();
        return c.build(() -> new MlstmLayerConfig(pf, up, mult, ks, bs, nh, e, bias, dropout, ctx, nb));
    }

    public ObjectNode toJson() {
        ObjectNode o = ConfigNode.object();
        o.put("proj_factor", projFactor);
        o.put("round_proj_up_dim_up", roundProjUpDimUp);
        o.put("round_proj_up_to_multiple_of", roundProjUpToMultipleOf);
        o.put("_proj_up_dim", projUpDim());
        o.put("conv1d_kernel_size", conv1dKernelSize);
        o.put("qkv_proj_blocksize", qkvProjBlocksize);
        o.put("num_heads", numHeads);
        o.put("embedding_dim", embeddingDim);
        o.put("bias", bias);
        o.put("dropout", dropout);
        o.put("context_length", contextLength);
        o.put("_num_blocks", numBlocks);
        o.put("_inner_embedding_dim", innerEmbeddingDim());
        return o;
    }
}
