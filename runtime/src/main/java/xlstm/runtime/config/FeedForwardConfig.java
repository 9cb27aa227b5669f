package xlstm.runtime.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The gated feed-forward of the original architecture ({@code xlstm.components.feedforward.FeedForwardConfig}).
 * {@link #projUpDim()} is the resolved {@code _proj_up_dim}: {@code P = ceil(proj_factor·E/64)·64} (or floor).
 *
 * @param projFactor              {@code proj_factor} (1.3)
 * @param roundProjUpDimUp        {@code round_proj_up_dim_up} (true)
 * @param roundProjUpToMultipleOf {@code round_proj_up_to_multiple_of} (64)
 * @param actFn                   {@code act_fn}: gelu | relu | relu^2 | sigmoid | swish | selu ("gelu")
 * @param embeddingDim            {@code embedding_dim} (-1 until the block sets it)
 * @param dropout                 {@code dropout} (0.0)
 * @param bias                    {@code bias} (false)
 * @param ffType                  {@code ff_type}: only "ffn_gated"
 * @param numBlocks               {@code _num_blocks} (1)
 */
public record FeedForwardConfig(double projFactor, boolean roundProjUpDimUp, int roundProjUpToMultipleOf,
                                String actFn, int embeddingDim, double dropout, boolean bias, String ffType,
                                int numBlocks) {

    public static final String[] FF_TYPES = {"ffn_gated"};

    public FeedForwardConfig {
        ConfigError.positive(projFactor, "proj_factor");
        ConfigError.positive(roundProjUpToMultipleOf, "round_proj_up_to_multiple_of");
        ActivationFn.fromConfig(actFn, "act_fn");
        ConfigError.probability(dropout, "dropout");
        ConfigError.oneOf(ffType, "ff_type", FF_TYPES);
    }

    /** All defaults ({@code FeedForwardConfig()}). */
    public static FeedForwardConfig defaults() {
        return new FeedForwardConfig(1.3, true, 64, "gelu", -1, 0.0, false, "ffn_gated", 1);
    }

    /** {@code _proj_up_dim}: the resolved up-projection size P (0 while {@code embedding_dim} is -1). */
    public int projUpDim() {
        return Sizes.projUpDim(projFactor, embeddingDim, roundProjUpDimUp, roundProjUpToMultipleOf);
    }

    /** The parsed {@code act_fn}. */
    public ActivationFn activation() { return ActivationFn.fromConfig(actFn, "act_fn"); }

    public FeedForwardConfig withEmbeddingDim(int e) {
        return new FeedForwardConfig(projFactor, roundProjUpDimUp, roundProjUpToMultipleOf, actFn, e, dropout, bias,
                ffType, numBlocks);
    }

    public FeedForwardConfig withNumBlocks(int n) {
        return new FeedForwardConfig(projFactor, roundProjUpDimUp, roundProjUpToMultipleOf, actFn, embeddingDim,
                dropout, bias, ffType, n);
    }

    public static FeedForwardConfig fromJson(JsonNode node) { return parse(ConfigNode.of(node)); }

    /** Reads the dictionary at {@code c}; missing keys take the defaults, unknown keys are errors. */
    public static FeedForwardConfig parse(ConfigNode c) {
        FeedForwardConfig d = defaults();
        double projFactor = c.getDouble("proj_factor", d.projFactor);
        boolean up = c.getBool("round_proj_up_dim_up", d.roundProjUpDimUp);
        int mult = c.getInt("round_proj_up_to_multiple_of", d.roundProjUpToMultipleOf);
        String act = c.getString("act_fn", d.actFn);
        int e = c.getInt("embedding_dim", d.embeddingDim);
        double dropout = c.getDouble("dropout", d.dropout);
        boolean bias = c.getBool("bias", d.bias);
        String ff = c.getString("ff_type", d.ffType);
        int nb = c.getInt("_num_blocks", d.numBlocks);
        c.accept("_proj_up_dim"); // derived; recomputed
        c.finish();
        return c.build(() -> new FeedForwardConfig(projFactor, up, mult, act, e, dropout, bias, ff, nb));
    }

    /** The resolved dictionary, as Python's {@code asdict} writes it. */
    public ObjectNode toJson() {
        ObjectNode o = ConfigNode.object();
        o.put("proj_factor", projFactor);
        o.put("round_proj_up_dim_up", roundProjUpDimUp);
        o.put("round_proj_up_to_multiple_of", roundProjUpToMultipleOf);
        o.put("_proj_up_dim", projUpDim());
        o.put("act_fn", actFn);
        o.put("embedding_dim", embeddingDim);
        o.put("dropout", dropout);
        o.put("bias", bias);
        o.put("ff_type", ffType);
        o.put("_num_blocks", numBlocks);
        return o;
    }
}
