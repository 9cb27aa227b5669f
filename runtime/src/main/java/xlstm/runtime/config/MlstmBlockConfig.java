package xlstm.runtime.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * {@code mLSTMBlockConfig}: an mLSTM layer with its pre-norm; no feed-forward. {@code __post_init__} copies
 * {@code _num_blocks} into the layer.
 *
 * @param mlstm     the layer ({@code mlstm})
 * @param numBlocks {@code _num_blocks} (null until set)
 * @param blockIdx  {@code _block_idx} (null until set)
 */
public record MlstmBlockConfig(MlstmLayerConfig mlstm, Integer numBlocks, Integer blockIdx) implements XlstmBlockConfig {

    public MlstmBlockConfig {
        if (mlstm == null) mlstm = MlstmLayerConfig.defaults();
        if (numBlocks != null) mlstm = mlstm.withNumBlocks(numBlocks);
    }

    public static MlstmBlockConfig defaults() { return new MlstmBlockConfig(MlstmLayerConfig.defaults(), null, null); }

    @Override public int embeddingDim() { return mlstm.embeddingDim(); }

    @Override public FeedForwardConfig feedforward() { return null; }

    @Override public int blockType() { return 0; }

    public MlstmBlockConfig withBlockIdx(Integer idx) { return new MlstmBlockConfig(mlstm, numBlocks, idx); }

    public static MlstmBlockConfig fromJson(JsonNode node) { return parse(ConfigNode.of(node)); }

    public static MlstmBlockConfig parse(ConfigNode c) {
        MlstmLayerConfig layer = MlstmLayerConfig.parse(c.child("mlstm"));
        Integer nb = c.getIntOrNull("_num_blocks", null);
        Integer idx = c.getIntOrNull("_block_idx", null);
        c.finish();
        return c.build(() -> new MlstmBlockConfig(layer, nb, idx));
    }

    public ObjectNode toJson() {
        ObjectNode o = ConfigNode.object();
        o.set("mlstm", mlstm.toJson());
        putNullable(o, "_num_blocks", numBlocks);
        putNullable(o, "_block_idx", blockIdx);
        return o;
    }

    static void putNullable(ObjectNode o, String key, Integer v) {
        if (v == null) o.putNull(key); else o.put(key, v.intValue());
    }
}
