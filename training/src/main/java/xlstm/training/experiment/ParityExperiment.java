package xlstm.training.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import xlstm.runtime.UserError;
import xlstm.runtime.config.LmModelConfig;
import xlstm.training.Batch;
import xlstm.training.data.ParityTask;
import xlstm.training.data.ScaledAccuracy;
import xlstm.training.loop.DataConfig;
import xlstm.training.loop.LossPlot;
import xlstm.training.loop.ModelFactory;
import xlstm.training.loop.ModelSpec;
import xlstm.training.loop.MetricsLog;
import xlstm.training.loop.RunConfig;
import xlstm.training.loop.StepRecord;
import xlstm.training.loop.TrainingConfig;
import xlstm.training.loop.TrainingListener;
import xlstm.training.loop.TrainingRun;

/**
 * The xLSTM paper's parity experiment at a small scale (SPEC §6.3, {@code parity_xlstm{01,10,11}.yaml}): three
 * 2-block models — sLSTM only (xLSTM[0:1]), mLSTM only (xLSTM[1:0]), mLSTM then sLSTM (xLSTM[1:1]) — trained on
 * strings of length 1..40 and tested on 41..256; the result is each model's scaled accuracy on the test lengths.
 * Each model is a {@link TrainingRun} in its own directory under {@code out}; {@code parity.csv} holds the table and
 * {@code parity.png} the three validation (test-length) loss curves.
 */
public final class ParityExperiment {
    /** One model of the experiment. */
    public record Variant(String name, String description, List<Integer> slstmAt) {}

    public static final List<Variant> VARIANTS = List.of(
            new Variant("slstm", "xLSTM[0:1] sLSTM only", List.of(0, 1)),
            new Variant("mlstm", "xLSTM[1:0] mLSTM only", List.of()),
            new Variant("mlstm_slstm", "xLSTM[1:1] mLSTM + sLSTM", List.of(1)));

    /**
     * The experiment's knobs.
     *
     * @param embeddingDim E of every model (the paper: 64)
     * @param numHeads     heads of the mLSTM and sLSTM layers (the paper: 1)
     * @param training     the optimisation (steps, batch, lr, ...); seq_len is unused
     * @param train        training lengths, and which positions of the training strings have targets (the test
     *                     always scores the last bit only)
     * @param test         test lengths
     * @param testSamples  strings of the final scaled-accuracy test (in batches of the training batch size)
     */
    public record Options(int embeddingDim, int numHeads, TrainingConfig training, ParityTask train, ParityTask test,
                          int testSamples) {}

    /**
     * One row of the result table: scaled accuracy and accuracy on the test lengths, the scaled accuracy on the
     * training lengths at the last bit (what the model learnt, next to what it generalises), the last losses, the
     * steps and the wall-clock seconds of training and testing.
     */
    public record Row(Variant variant, double scaledAccuracy, double accuracy, double trainScaledAccuracy,
                      double finalLoss, double finalValLoss, int steps, double seconds) {}

    private ParityExperiment() {}

    /** The model config of one variant: 2 blocks, vocabulary 3, context as long as the longest test string. */
    public static LmModelConfig modelConfig(Variant v, Options o) {
        String json = """
                {"vocab_size": %d, "num_blocks": 2, "embedding_dim": %d, "context_length": %d, "slstm_at": %s,
                 "mlstm_block": {"mlstm": {"num_heads": %d}},
                 "slstm_block": {"slstm": {"num_heads": %d, "backend": "vanilla"}}}
                """.formatted(ParityTask.VOCAB, o.embeddingDim(), Math.max(o.train().maxLength(), o.test().maxLength()),
                v.slstmAt(), o.numHeads(), o.numHeads());
        try {
            JsonNode n = new ObjectMapper().readTree(json);
            if (v.slstmAt().size() == 2) ((com.fasterxml.jackson.databind.node.ObjectNode) n).remove("mlstm_block");
            return LmModelConfig.fromJson(n);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Trains and tests the three models; {@code listeners} gives each model's progress listener. */
    public static List<Row> run(Options o, Path out, ModelFactory factory,
                                java.util.function.Function<Variant, TrainingListener> listeners,
                                java.util.function.Consumer<String> say) {
        if (Files.exists(out.resolve("parity.csv"))) {
            throw new UserError(out + ": already holds a parity experiment (choose another --out)");
        }
        List<Row> rows = new ArrayList<>();
        List<LossPlot.Curve> curves = new ArrayList<>();
        for (Variant v : VARIANTS) {
            say.accept("== " + v.description() + " ==");
            RunConfig cfg = new RunConfig(new ModelSpec.Lm(modelConfig(v, o)), new DataConfig.Parity(o.train(), o.test()),
                    o.training(), out.resolve(v.name()));
            long start = System.nanoTime();
            TrainingRun.Result r = TrainingRun.run(cfg, factory, false, listeners.apply(v));
            say.accept("testing on " + o.testSamples() + " strings of length " + o.test().minLength() + ".."
                    + o.test().maxLength());
            int batches = Math.max(1, (o.testSamples() + o.training().batchSize() - 1) / o.training().batchSize());
            List<Batch> test = o.test().fixedSet(batches, o.training().batchSize(), o.training().seed(), "parity final test");
            double acc = ScaledAccuracy.accuracy(r.model(), test);
            // scored like the test, at the last bit, whatever the training targets were
            List<Batch> seen = o.train().withTargets(ParityTask.Targets.LAST).fixedSet(batches,
                    o.training().batchSize(), o.training().seed(), "parity final train");
            double trainAcc = ScaledAccuracy.accuracy(r.model(), seen);
            rows.add(new Row(v, ParityTask.scaledAccuracy(acc), acc, ParityTask.scaledAccuracy(trainAcc), r.last().loss(),
                    r.last().valLoss(), o.training().steps(), (System.nanoTime() - start) / 1e9));
            List<Double> xs = new ArrayList<>(), ys = new ArrayList<>();
            for (StepRecord s : MetricsLog.read(cfg.out().resolve(TrainingRun.CSV))) {
                if (s.evaluated()) {
                    xs.add((double) s.step());
                    ys.add(s.valLoss());
                }
            }
            curves.add(new LossPlot.Curve(v.description(), xs, ys));
        }
        writeCsv(out.resolve("parity.csv"), rows);
        LossPlot.write(out.resolve("parity.png"), "parity: loss on test lengths " + o.test().minLength() + ".."
                + o.test().maxLength(), "step", "validation loss", curves);
        return rows;
    }

    private static void writeCsv(Path file, List<Row> rows) {
        StringBuilder sb = new StringBuilder(
                "model,slstm_at,scaled_accuracy,accuracy,train_lengths_scaled_accuracy,final_train_loss,final_val_loss,steps,"
                + "seconds\n");
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "%s,\"%s\",%.4f,%.4f,%.4f,%.6f,%.6f,%d,%.1f%n", r.variant().name(),
                    r.variant().slstmAt(), r.scaledAccuracy(), r.accuracy(), r.trainScaledAccuracy(), r.finalLoss(),
                    r.finalValLoss(), r.steps(), r.seconds()));
        }
        try {
            Files.writeString(file, sb);
        } catch (IOException e) {
            throw new UserError(file + ": cannot write (" + e.getMessage() + ")", e);
        }
    }

    /** The result table as text. */
    public static String table(List<Row> rows) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-28s %16s %9s %11s %22s %7s %8s%n", "model",
                "scaled accuracy", "accuracy", "test loss", "(training lengths: sc.)", "steps", "time"));
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "%-28s %16.3f %9.3f %11.4f %22.3f %7d %7.0fs%n", r.variant().description(),
                    r.scaledAccuracy(), r.accuracy(), r.finalValLoss(), r.trainScaledAccuracy(), r.steps(), r.seconds()));
        }
        return sb.toString();
    }
}
