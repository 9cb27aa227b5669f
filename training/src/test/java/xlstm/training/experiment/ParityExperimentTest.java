package xlstm.training.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xlstm.runtime.UserError;
import xlstm.runtime.config.LmModelConfig;
import xlstm.runtime.config.XlstmLargeConfig;
import xlstm.runtime.io.WeightStore;
import xlstm.runtime.model.XlstmLmModel;
import xlstm.runtime.tensor.Tensor;
import xlstm.training.Trainable;
import xlstm.training.baseline.BigramModel;
import xlstm.training.data.ParityTask;
import xlstm.training.init.LmModelInit;
import xlstm.training.loop.ModelFactory;
import xlstm.training.loop.TrainingConfig;
import xlstm.training.loop.TrainingListener;

class ParityExperimentTest {
    @TempDir Path tmp;

    private static ParityExperiment.Options options(int steps) {
        TrainingConfig t = new TrainingConfig(steps, 8, 1, 0.01, Math.min(2, steps), 1e-5, 0.1, 1.0, 0.9, 0.999, 1e-8, 1, 2, 1, steps, 1, true);
        return new ParityExperiment.Options(16, 1, t, new ParityTask(1, 8), new ParityTask(9, 20), 32);
    }

    @Test
    void theThreeModelsAreTheReferenceVariantsAndLoad() {
        List<String> maps = new ArrayList<>();
        for (ParityExperiment.Variant v : ParityExperiment.VARIANTS) {
            LmModelConfig cfg = ParityExperiment.modelConfig(v, options(1));
            assertEquals(2, cfg.numBlocks());
            assertEquals(3, cfg.vocabSize());
            assertEquals(20, cfg.contextLength());
            maps.add(cfg.stack().blockMapString());
            XlstmLmModel.load(cfg, WeightStore.of(LmModelInit.of(cfg, 1), "init"));
        }
        assertEquals(List.of("1,1", "0,0", "0,1"), maps); // xLSTM[0:1], xLSTM[1:0], xLSTM[1:1]
    }

    @Test
    void paddingAfterAStringDoesNotChangeTheOutputsAtItsBits() {
        // a batch's shorter rows are padded after the string: a causal model's outputs at the bits must be those of
        // the string alone, or the test (scored at the last bit) would depend on the other rows of its batch
        int[] bits = {1, 0, 1, 1, 0};
        int[][] alone = {bits};
        int[][] padded = {{1, 0, 1, 1, 0, 2, 2, 2, 2, 2, 2, 2}, {0, 1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 1}};
        for (ParityExperiment.Variant v : ParityExperiment.VARIANTS) {
            LmModelConfig cfg = ParityExperiment.modelConfig(v, options(1));
            Trainable m = ModelFactory.REFERENCE.lmModel(cfg, LmModelInit.of(cfg, 3));
            Tensor a = m.logits(alone), p = m.logits(padded);
            for (int t = 0; t < bits.length; t++) {
                for (int k = 0; k < ParityTask.VOCAB; k++) {
                    assertEquals(a.getFloat((long) t * ParityTask.VOCAB + k), p.getFloat((long) t * ParityTask.VOCAB + k),
                            1e-5, v.name() + " position " + t);
                }
            }
        }
    }

    @Test
    void theExperimentWritesItsTableCsvAndPlot() throws Exception {
        // the xLSTM models stand in as bigrams over the parity vocabulary: the plumbing is what is tested here
        List<LmModelConfig> built = new ArrayList<>();
        ModelFactory standIn = new ModelFactory() {
            @Override public Trainable lmModel(LmModelConfig cfg, Map<String, Tensor> weights) {
                built.add(cfg);
                return BigramModel.of(cfg.vocabSize(), BigramModel.initialWeights(cfg.vocabSize(), 1));
            }

            @Override public Trainable large(XlstmLargeConfig cfg, Map<String, Tensor> weights) { throw new AssertionError(); }
        };
        List<String> said = new ArrayList<>();
        var rows = ParityExperiment.run(options(6), tmp, standIn, v -> TrainingListener.NONE, said::add);
        assertEquals(3, rows.size());
        assertEquals(3, built.size());
        for (var r : rows) {
            // a bigram sees only the last bit: it cannot beat chance by much on the test strings
            assertEquals(ParityTask.scaledAccuracy(r.accuracy()), r.scaledAccuracy(), 1e-12);
            assertTrue(r.accuracy() >= 0 && r.accuracy() <= 1);
            assertTrue(r.trainScaledAccuracy() >= -1 && r.trainScaledAccuracy() <= 1);
        }
        List<String> csv = Files.readAllLines(tmp.resolve("parity.csv"));
        assertEquals(4, csv.size());
        assertTrue(csv.get(0).contains(",train_lengths_scaled_accuracy,"), csv.get(0));
        assertTrue(csv.get(1).startsWith("slstm,"), csv.get(1));
        assertTrue(Files.size(tmp.resolve("parity.png")) > 1000);
        assertTrue(Files.isRegularFile(tmp.resolve("mlstm_slstm/metrics.csv")));
        String table = ParityExperiment.table(rows);
        assertTrue(table.contains("xLSTM[1:1] mLSTM + sLSTM"), table);
        UserError again = assertThrows(UserError.class,
                () -> ParityExperiment.run(options(6), tmp, standIn, v -> TrainingListener.NONE, said::add));
        assertTrue(again.getMessage().contains("already"), again.getMessage());
    }
}
