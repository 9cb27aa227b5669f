package xlstm.training.loop;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import xlstm.runtime.config.ConfigError;
import xlstm.runtime.config.ConfigNode;
import xlstm.runtime.config.LmModelConfig;
import xlstm.runtime.config.XlstmLargeConfig;
import xlstm.runtime.tensor.Tensor;
import xlstm.training.baseline.BigramModel;
import xlstm.training.init.LargeModelInit;
import xlstm.training.init.LmModelInit;

/**
 * Which model a run trains: the original architecture ({@code type: lm}, an {@code xLSTMLMModelConfig}
 * dictionary under {@code config}), xLSTM Large ({@code type: large}, an {@code xLSTMLargeConfig} dictionary), or
 * the bigram baseline ({@code type: bigram}: a table of next-token logits, for checking data and loop).
 */
public sealed interface ModelSpec {
    String[] TYPES = {"lm", "large", "bigram"};

    int vocabSize();

    /** The reference initialisation, by {@code state_dict} name. */
    Map<String, Tensor> initialWeights(long seed);

    /** Whether the embedding is weight-decayed ({@code weight_decay_on_embedding}; false for xLSTM Large). */
    boolean decayEmbedding();

    /** {@code {"type": ..., "config": {...}}}, as {@link #parse} reads it. */
    ObjectNode toJson();

    record Lm(LmModelConfig config) implements ModelSpec {
        @Override public int vocabSize() { return config.vocabSize(); }
        @Override public Map<String, Tensor> initialWeights(long seed) { return LmModelInit.of(config, seed); }
        @Override public boolean decayEmbedding() { return config.weightDecayOnEmbedding(); }
        @Override public ObjectNode toJson() { return json("lm").set("config", config.toJson()); }
    }

    record Large(XlstmLargeConfig config) implements ModelSpec {
        @Override public int vocabSize() { return config.vocabSize(); }
        @Override public Map<String, Tensor> initialWeights(long seed) { return LargeModelInit.of(config, seed); }
        @Override public boolean decayEmbedding() { return false; }
        @Override public ObjectNode toJson() { return json("large").set("config", config.toJson()); }
    }

    record Bigram(int vocabSize) implements ModelSpec {
        @Override public Map<String, Tensor> initialWeights(long seed) { return BigramModel.initialWeights(vocabSize, seed); }
        @Override public boolean decayEmbedding() { return true; }
        @Override public ObjectNode toJson() { return json("bigram").put("vocab_size", vocabSize); }
    }

    private static ObjectNode json(String type) { return JsonNodeFactory.instance.objectNode().put("type", type); }

    /** Reads the {@code model} dictionary: {@code type} and the architecture's {@code config} (the bigram: {@code vocab_size}). */
    static ModelSpec parse(ConfigNode c) {
        String type = c.getChoice("type", null, TYPES);
        if (type == null) throw new ConfigError(c.name("type"), "is required: one of lm, large, bigram");
        ModelSpec spec = switch (type) {
            case "lm" -> new Lm(c.build(() -> LmModelConfig.parse(c.child("config"))));
            case "large" -> {
                XlstmLargeConfig large = c.build(() -> XlstmLargeConfig.parse(c.child("config")));
                if (large.fused()) {
                    throw new ConfigError(c.name("config.weight_mode"), "training uses the single weights (the"
                            + " reference's state_dict names); \"fused\" is an inference layout");
                }
                yield new Large(large);
            }
            default -> {
                int v = c.getInt("vocab_size", -1);
                if (v <= 0) throw new ConfigError(c.name("vocab_size"), "is required for the bigram: a positive integer");
                yield new Bigram(v);
            }
        };
        c.finish();
        return spec;
    }
}
