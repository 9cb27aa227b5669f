package xlstm.training.loop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xlstm.runtime.UserError;
import xlstm.training.baseline.BigramModel;
import xlstm.training.checkpoint.CheckpointStore;

class TrainingRunTest {
    @TempDir Path tmp;

    @Test
    void theLossGoesDownAndTheRunLeavesLogPlotAndModel() throws Exception {
        Path text = Runs.text(tmp, 20_000);
        RunConfig cfg = Runs.bigram(text, tmp.resolve("run"), 60, 20, 2);
        List<StepRecord> seen = new ArrayList<>();
        TrainingRun.Result r = TrainingRun.run(cfg, ModelFactory.REFERENCE, false, new TrainingListener() {
            @Override public void onStep(StepRecord rec, long total) { seen.add(rec); }
        });
        assertEquals(60, r.step());
        assertEquals(60, seen.size());
        List<StepRecord> rows = MetricsLog.read(tmp.resolve("run/metrics.csv"));
        assertEquals(seen.size(), rows.size());
        for (int i = 0; i < rows.size(); i++) { // the CSV keeps every digit but of tokens/s
            assertEquals(seen.get(i).loss(), rows.get(i).loss(), 0.0);
            assertEquals(seen.get(i).lr(), rows.get(i).lr(), 0.0);
            assertEquals(seen.get(i).valLoss(), rows.get(i).valLoss(), 0.0);
            assertEquals(seen.get(i).gradNorm(), rows.get(i).gradNorm(), 0.0);
        }
        double first = rows.get(0).loss(), lastVal = rows.get(59).valLoss();
        assertEquals(Math.log(256), first, 0.05); // near-uniform start over 256 byte values
        // the chain's entropy is 0.84 nats (0.8 to the next letter, 0.2 spread over all 9)
        assertTrue(lastVal < 1.2, "a bigram learns the 9-letter chain: validation loss " + lastVal);
        assertTrue(rows.get(3).evaluated() && !rows.get(2).evaluated(), "eval every 4 steps");
        assertEquals(0.0, rows.get(0).lr(), "warm-up starts at 0");
        assertEquals(0.03, rows.get(59).lr(), 1e-3 * 0.3);
        assertTrue(Files.size(tmp.resolve("run/loss.png")) > 1000);
        // the exported model holds the trained table
        try (var w = xlstm.runtime.io.WeightStore.open(tmp.resolve("run/model"))) {
            assertArrayEquals(r.model().parameters().get(0).value().toFloatArray(), w.get(BigramModel.WEIGHT).toFloatArray());
        }
        // checkpoints at 20, 40, 60; the newest 2 kept; no temporary directory left
        try (Stream<Path> s = Files.list(tmp.resolve("run/checkpoints"))) {
            assertEquals(List.of("step-00000040", "step-00000060"),
                    s.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void aRunStoppedAndResumedRepeatsTheLossesBitForBit() throws Exception {
        Path text = Runs.text(tmp, 20_000);
        TrainingRun.Result whole = TrainingRun.run(Runs.bigram(text, tmp.resolve("whole"), 30, 5, 3),
                ModelFactory.REFERENCE, false, TrainingListener.NONE);
        RunConfig parts = Runs.bigram(text, tmp.resolve("parts"), 30, 5, 3);
        TrainingRun.Result stopped = TrainingRun.run(parts, ModelFactory.REFERENCE, false, TrainingListener.NONE, 13);
        assertEquals(13, stopped.step());
        assertFalse(Files.exists(tmp.resolve("parts/model")), "no export before the last step");
        // the newest checkpoint is step 10: steps 11..13 are done again after the resume
        TrainingRun.Result resumed = TrainingRun.run(parts, ModelFactory.REFERENCE, true, TrainingListener.NONE);
        assertEquals(30, resumed.step());
        List<StepRecord> a = MetricsLog.read(tmp.resolve("whole/metrics.csv"));
        List<StepRecord> b = MetricsLog.read(tmp.resolve("parts/metrics.csv"));
        assertEquals(30, b.size());
        for (int i = 0; i < 30; i++) {
            assertEquals(a.get(i).loss(), b.get(i).loss(), 0.0, "loss at step " + (i + 1));
            assertEquals(a.get(i).gradNorm(), b.get(i).gradNorm(), 0.0);
            assertEquals(a.get(i).valLoss(), b.get(i).valLoss(), 0.0);
        }
        assertArrayEquals(whole.model().parameters().get(0).value().toFloatArray(),
                resumed.model().parameters().get(0).value().toFloatArray());
    }

    @Test
    void freshRunsAndResumesCheckTheDirectory() throws Exception {
        Path text = Runs.text(tmp, 5_000);
        RunConfig cfg = Runs.bigram(text, tmp.resolve("r"), 4, 2, 1);
        UserError none = assertThrows(UserError.class,
                () -> TrainingRun.run(cfg, ModelFactory.REFERENCE, true, TrainingListener.NONE));
        assertTrue(none.getMessage().contains("no checkpoint"), none.getMessage());
        TrainingRun.run(cfg, ModelFactory.REFERENCE, false, TrainingListener.NONE);
        UserError again = assertThrows(UserError.class,
                () -> TrainingRun.run(cfg, ModelFactory.REFERENCE, false, TrainingListener.NONE));
        assertTrue(again.getMessage().contains("--resume"), again.getMessage());
        RunConfig otherData = new RunConfig(cfg.model(), new DataConfig.Text(text, null, 0.2), cfg.training(), cfg.out());
        UserError other = assertThrows(UserError.class,
                () -> TrainingRun.run(otherData, ModelFactory.REFERENCE, true, TrainingListener.NONE));
        assertTrue(other.getMessage().contains("'data'"), other.getMessage());
        assertEquals(1, new CheckpointStore(tmp.resolve("r/checkpoints")).list().size());
    }

    @Test
    void anXlstmLmModelTrainsAndResumesBitForBit() throws Exception {
        Path text = Runs.text(tmp, 5_000);
        RunConfig whole = Runs.lm(text, tmp.resolve("w"), 8, 2, 2);
        RunConfig parts = whole.withOut(tmp.resolve("p"));
        TrainingRun.run(whole, ModelFactory.REFERENCE, false, TrainingListener.NONE);
        TrainingRun.run(parts, ModelFactory.REFERENCE, false, TrainingListener.NONE, 5);
        TrainingRun.run(parts, ModelFactory.REFERENCE, true, TrainingListener.NONE);
        List<StepRecord> a = MetricsLog.read(tmp.resolve("w/metrics.csv")), b = MetricsLog.read(tmp.resolve("p/metrics.csv"));
        assertEquals(8, b.size());
        for (int i = 0; i < 8; i++) assertEquals(a.get(i).loss(), b.get(i).loss(), 0.0, "loss of step " + (i + 1));
        assertEquals(Math.log(256), a.get(0).loss(), 0.1); // small_init logits: near uniform
        assertTrue(a.get(7).loss() < a.get(0).loss(), "the loss goes down: " + a.get(0).loss() + " -> " + a.get(7).loss());
        // the export is what XlstmLmModel loads
        var read = xlstm.runtime.config.LmModelConfig.load(tmp.resolve("w/model").resolve(
                xlstm.training.checkpoint.ModelExport.LM_CONFIG));
        try (var ws = xlstm.runtime.io.WeightStore.open(tmp.resolve("w/model"))) {
            xlstm.runtime.model.XlstmLmModel.load(read, ws);
        }
    }
}
