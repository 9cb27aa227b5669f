package xlstm.training.checkpoint;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import xlstm.runtime.UserError;
import xlstm.runtime.config.ConfigFiles;
import xlstm.runtime.config.HfXlstmConfig;
import xlstm.runtime.config.XlstmLargeConfig;
import xlstm.runtime.io.SafetensorsWriter;
import xlstm.runtime.tensor.Tensor;
import xlstm.training.data.ByteLevelTokenizer;
import xlstm.training.loop.ModelSpec;

/**
 * The trained model as a model directory. xLSTM Large: Hugging Face's layout, which {@code xlstm generate} and
 * {@link xlstm.runtime.checkpoint.Checkpoint} load ({@code config.json}, {@code model.safetensors} with the
 * embedding as {@code backbone.embeddings.weight}, the data's {@code tokenizer.json}, or the byte-level one for
 * byte data). The
 * original architecture: {@code lm_config.json} (the {@code xLSTMLMModelConfig} dictionary) and
 * {@code model.safetensors}, which {@code XlstmLmModel.load} reads (generation of that architecture is not in the
 * runtime's checkpoint loader). The directory appears atomically (temporary directory, then rename).
 */
public final class ModelExport {
    public static final String LM_CONFIG = "lm_config.json", BIGRAM_CONFIG = "bigram_config.json";

    private ModelExport() {}

    /**
     * Writes the model to {@code dir} with {@code tokenizer} (the data's tokenizer.json), or with the byte-level
     * tokenizer when {@code byteTokens} (text data without a tokenizer), or with none (token ids only).
     */
    public static void write(Path dir, ModelSpec spec, Map<String, Tensor> weights, Path tokenizer, boolean byteTokens) {
        Path target = dir.toAbsolutePath().normalize();
        Path tmp = null;
        try {
            Files.createDirectories(target.getParent());
            tmp = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".tmp-");
            Map<String, Tensor> named = weights;
            switch (spec) {
                case ModelSpec.Large large -> {
                    ConfigFiles.write(tmp.resolve("config.json"), hfConfig(large.config()));
                    named = new LinkedHashMap<>();
                    for (var e : weights.entrySet()) {
                        named.put(e.getKey().equals("embedding.weight") ? "backbone.embeddings.weight" : e.getKey(), e.getValue());
                    }
                }
                case ModelSpec.Lm lm -> ConfigFiles.write(tmp.resolve(LM_CONFIG), lm.config().toJson());
                case ModelSpec.Bigram b -> ConfigFiles.write(tmp.resolve(BIGRAM_CONFIG), b.toJson());
            }
            SafetensorsWriter.write(tmp.resolve("model.safetensors"), named, Map.of("format", "pt"));
            if (tokenizer != null) Files.copy(tokenizer, tmp.resolve("tokenizer.json"));
            else if (byteTokens) ByteLevelTokenizer.write(tmp.resolve("tokenizer.json"));
            if (Files.exists(target)) CheckpointStore.deleteTree(target);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            tmp = null;
        } catch (IOException e) {
            throw new UserError(dir + ": cannot write the model (" + e.getMessage() + ")", e);
        } finally {
            if (tmp != null) CheckpointStore.deleteTree(tmp);
        }
    }

    /** transformers' config.json of the trained architecture, for inference; no BOS/EOS (the data had none). */
    static ObjectNode hfConfig(XlstmLargeConfig cfg) {
        XlstmLargeConfig inference = cfg.withWeightMode("single").withMode("inference", true);
        return new HfXlstmConfig(inference, false, null, List.of(), null, 16384, true, "float32", false).toJson();
    }
}
