package xlstm.runtime.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code sLSTMBlockConfig}: an sLSTM layer with its pre-norm, then (by default) a gated feed-forward with its
 * own pre-norm. {@code __post_init__} copies {@code _block_idx} and {@code _num_blocks} into the layer.
 * Inside one block (see {@link BlockStackConfig#block(int)}) the feed-forward also receives the block's
 * {@code embedding_dim} and {@code _num_blocks}, as {@code xLSTMBlockConfig.__post_init__} does.
 *
 * @param slstm       the layer ({@code slstm})
 * @param feedforward the feed-forward ({@code feedforward}); null = none
 * @param numBlocks   {@code _num_blocks} (null until set)
 * @param blockIdx    {@code _block_idx} (null until set)
 */
public record SlstmBlockConfig(SlstmLayerConfig slstm, FeedForwardConfig feedforward, Integer numBlocks,
                               Integer blockIdx) implements XlstmBlockConfig {

    public SlstmBlockConfig {
        if (slstm == null) slstm = SlstmLayerConfig.defaults();
        slstm = slstm.withBlock(blockIdx, numBlocks);
    }

    public static SlstmBlockConfig defaults() {
        return new SlstmBlockConfig(SlstmLayerConfig.defaults(), FeedForwardConfig.defaults(), null, null);
    }

    @Override public int embeddingDim() { return slstm.embeddingDim(); }

    @Override public int blockType() { return 1; }

    public static SlstmBlockConfig fromJson(JsonNode node) { return parse(ConfigNode.of(node)); }

    public static SlstmBlockConfig parse(ConfigNode c) {
        SlstmLayerConfig layer = SlstmLayerConfig.parse(c.child("slstm"));
        FeedForwardConfig ffn;
        if (c.present("feedforward") && c.raw("feedforward") == null) {
            ffn = null; // explicit null: no feed-forward
        } else {
            ffn = FeedForwardConfig.parse(c.child("feedforward"));
        }
        Integer nb = c.getIntOrNull("_num_blocks", null);
        Integer idx = c.getIntOrNull("_block_idx", null);
        c.finish();
        return c.build(() -> new SlstmBlockConfig(layer, ffn, nb, idx));
    }

    public ObjectNode toJson() {
        ObjectNode o = ConfigNode.object();
        o.set("slstm", slstm.toJson());
        if (feedforward == null) o.putNull("feedforward"); else o.set("feedforward", feedforward.toJson());
        MlstmBlockConfig.putNullable(o, "_num_blocks", numBlocks);
        MlstmBlockConfig.putNullable(o, "_block_idx", blockIdx);
        return o;
    }
}
