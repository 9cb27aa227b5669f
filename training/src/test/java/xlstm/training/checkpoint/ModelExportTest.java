package xlstm.training.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xlstm.runtime.api.GenerateOptions;
import xlstm.runtime.api.XlstmModel;
import xlstm.runtime.config.LmModelConfig;
import xlstm.runtime.config.XlstmLargeConfig;
import xlstm.runtime.io.WeightStore;
import xlstm.runtime.model.XlstmLmModel;
import xlstm.runtime.tensor.Tensor;
import xlstm.training.init.LargeModelInit;
import xlstm.training.init.LmModelInit;
import xlstm.training.init.ReferenceConfigs;
import xlstm.training.loop.ModelSpec;

class ModelExportTest {
    @TempDir Path tmp;

    @Test
    void anExportedLargeModelIsACheckpointThatGenerates() throws Exception {
        XlstmLargeConfig cfg = XlstmLargeConfig.of(32, 2, 2, 256).withChunkSize(16);
        Map<String, Tensor> w = LargeModelInit.of(cfg, 3);
        Path dir = tmp.resolve("model");
        ModelExport.write(dir, new ModelSpec.Large(cfg), w, null, true);
        try (XlstmModel lm = XlstmModel.load(dir)) { // what `xlstm generate --model dir` does
            assertEquals(256, lm.vocabSize());
            assertEquals(256, lm.tokenizer().vocabSize()); // byte data: the byte-level tokenizer.json
            assertEquals(4, lm.newSession().complete("the", GenerateOptions.greedy(4), null).tokens().length);
            assertArrayEquals(w.get("embedding.weight").toFloatArray(),
                    lm.checkpoint().openWeights().get("backbone.embeddings.weight").toFloatArray());
            var c = lm.newSession().complete(new long[] {1, 2, 3}, GenerateOptions.greedy(4), null);
            assertEquals(4, c.tokens().length);
        }
        try (var files = Files.list(tmp)) {
            assertFalse(files.anyMatch(p -> p.getFileName().toString().startsWith(".")), "no temporary directory left");
        }
    }

    @Test
    void anExportedLmModelLoadsIntoTheRuntime() {
        LmModelConfig cfg = ReferenceConfigs.specSmallModel();
        Map<String, Tensor> w = LmModelInit.of(cfg, 3);
        Path dir = tmp.resolve("lm");
        ModelExport.write(dir, new ModelSpec.Lm(cfg), w, null, false);
        LmModelConfig read = LmModelConfig.load(dir.resolve(ModelExport.LM_CONFIG));
        assertEquals(cfg.toJson(), read.toJson());
        try (WeightStore ws = WeightStore.open(dir)) {
            XlstmLmModel.load(read, ws);
        }
        assertTrue(Files.isRegularFile(dir.resolve("model.safetensors")));
    }
}
