package xlstm.training.loop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import xlstm.runtime.config.LmModelConfig;
import xlstm.runtime.config.XlstmLargeConfig;
import xlstm.runtime.tensor.Tensor;
import xlstm.training.Rng;
import xlstm.training.Trainable;
import xlstm.training.baseline.BigramModel;

/** Test runs: a bigram on generated text, and a factory that stands in for the xLSTM models. */
final class Runs {
    private Runs() {}

    /** Text with structure a bigram can learn: a small random Markov chain over a few letters, seeded. */
    static Path text(Path dir, int length) throws IOException {
        Rng r = new Rng(77);
        String letters = "abcdefgh ";
        StringBuilder sb = new StringBuilder();
        int prev = 0;
        for (int i = 0; i < length; i++) {
            // mostly the next letter, sometimes a random one
            prev = r.nextDouble() < 0.8 ? (prev + 1) % letters.length() : r.nextInt(letters.length());
            sb.append(letters.charAt(prev));
        }
        Path f = dir.resolve("corpus.txt");
        Files.writeString(f, sb);
        return f;
    }

    static RunConfig bigram(Path text, Path out, int steps, int checkpointEvery, int keep) {
        TrainingConfig t = new TrainingConfig(steps, 8, 32, 0.3, 2, 0.03, 0.01, 1.0, 0.9, 0.999, 1e-8, 5,
                4, 2, checkpointEvery, keep, true);
        return new RunConfig(new ModelSpec.Bigram(256), new DataConfig.Text(text, null, 0.1), t, out);
    }

    /**
     * A small xLSTMLMModel (mLSTM then sLSTM block) on the same text, on the vector kernels (not the scalar twins
     * of {@code deterministic}): they give the same bits in a cold JVM and a warm one.
     */
    static RunConfig lm(Path text, Path out, int steps, int checkpointEvery, int keep) {
        LmModelConfig cfg = xlstm.training.init.ReferenceConfigs.lm("""
                {"vocab_size": 256, "num_blocks": 2, "embedding_dim": 16, "context_length": 16, "slstm_at": [1],
                 "mlstm_block": {"mlstm": {"num_heads": 2}},
                 "slstm_block": {"slstm": {"num_heads": 2, "backend": "vanilla"}}}
                """);
        TrainingConfig t = new TrainingConfig(steps, 2, 16, 3e-3, 2, 3e-5, 0.1, 1.0, 0.9, 0.999, 1e-8, 4, 4, 1,
                checkpointEvery, keep, false);
        return new RunConfig(new ModelSpec.Lm(cfg), new DataConfig.Text(text, null, 0.1), t, out);
    }

    /** For the lm and large types: a bigram over the model's vocabulary (the loop does not know the difference). */
    static final ModelFactory BIGRAM_STAND_IN = new ModelFactory() {
        @Override public Trainable lmModel(LmModelConfig cfg, Map<String, Tensor> weights) {
            return BigramModel.of(cfg.vocabSize(), BigramModel.initialWeights(cfg.vocabSize(), 1));
        }

        @Override public Trainable large(XlstmLargeConfig cfg, Map<String, Tensor> weights) {
            return BigramModel.of(cfg.vocabSize(), BigramModel.initialWeights(cfg.vocabSize(), 1));
        }
    };
}
