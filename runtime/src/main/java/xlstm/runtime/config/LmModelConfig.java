package xlstm.runtime.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code xLSTMLMModelConfig(xLSTMBlockStackConfig)}: the block stack plus token embedding and LM head. In the
 * config dictionary the four LM fields sit next to the stack's fields (one flat dictionary).
 *
 * @param stack                  the block stack fields
 * @param vocabSize              {@code vocab_size} (-1; must be set)
 * @param tieWeights             {@code tie_weights} (false): lm_head shares the embedding matrix
 * @param weightDecayOnEmbedding {@code weight_decay_on_embedding} (false)
 * @param addEmbeddingDropout    {@code add_embedding_dropout} (false)
 */
public record LmModelConfig(BlockStackConfig stack, int vocabSize, boolean tieWeights, boolean weightDecayOnEmbedding,
                            boolean addEmbeddingDropout) {

    public LmModelConfig {
        if (stack == null) throw new ConfigError("<root>", "the block stack config is missing");
        ConfigError.positive(vocabSize, "vocab_size");
    }

    // Convenience views of the stack's fields.
    public int embeddingDim() { return stack.embeddingDim(); }

    public int numBlocks() { return stack.numBlocks(); }

    public int contextLength() { return stack.contextLength(); }

    public double dropout() { return stack.dropout(); }

    public List<Integer> blockMap() { return stack.blockMap(); }

    public XlstmBlockConfig block(int i) { return stack.block(i); }

    public static LmModelConfig fromJson(JsonNode node) { return parse(ConfigNode.of(node)); }

    public static LmModelConfig load(Path file) { return ConfigFiles.parse(file, LmModelConfig::fromJson); }

    public static LmModelConfig parse(ConfigNode c) {
        int v = c.getInt("vocab_size", -1);
        boolean tie = c.getBool("tie_weights", false);
        boolean wd = c.getBool("weight_decay_on_embedding", false);
        boolean embDrop = c.getBool("add_embedding_dropout", false);
        BlockStackConfig stack = BlockStackConfig.parse(c); // finishes c: rejects unknown keys
        return c.build(() -> new LmModelConfig(stack, v, tie, wd, embDrop));
    }

    public ObjectNode toJson() {
        ObjectNode o = stack.toJson();
        o.put("vocab_size", vocabSize);
        o.put("tie_weights", tieWeights);
        o.put("weight_decay_on_embedding", weightDecayOnEmbedding);
        o.put("add_embedding_dropout", addEmbeddingDropout);
        return o;
    }
}
