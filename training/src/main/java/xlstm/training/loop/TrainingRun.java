package xlstm.training.loop;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import xlstm.backends.cpu.KernelMode;
import xlstm.runtime.UserError;
import xlstm.runtime.config.ConfigError;
import xlstm.runtime.config.ConfigFiles;
import xlstm.runtime.tensor.Tensor;
import xlstm.training.Parameter;
import xlstm.training.Trainable;
import xlstm.training.checkpoint.CheckpointStore;
import xlstm.training.checkpoint.ModelExport;
import xlstm.training.checkpoint.TrainingState;
import xlstm.training.data.DataSource;

/**
 * A whole run in its directory: {@code run.json} (the config), {@code checkpoints/}, {@code metrics.csv} (one row
 * per step), at the end {@code loss.png} and the trained model in {@code model/}. A fresh run refuses a directory
 * that already has checkpoints; {@code resume} continues from the newest one.
 */
public final class TrainingRun {
    public static final String RUN_JSON = "run.json", CSV = "metrics.csv", PNG = "loss.png", CHECKPOINTS = "checkpoints",
            MODEL = "model";

    /** What a finished (or stopped) run leaves. */
    public record Result(long step, StepRecord last, Path dir, Trainable model) {}

    private TrainingRun() {}

    public static Result run(RunConfig cfg, ModelFactory factory, boolean resume, TrainingListener listener) {
        return run(cfg, factory, resume, listener, Long.MAX_VALUE);
    }

    /**
     * As {@link #run(RunConfig, ModelFactory, boolean, TrainingListener)}, stopping after step {@code stopAfter}.
     * With {@code training.deterministic} the kernels run their scalar twins for the run's duration (losses
     * independent of the vector width; a resume repeats the losses bit for bit with either).
     */
    public static Result run(RunConfig cfg, ModelFactory factory, boolean resume, TrainingListener listener, long stopAfter) {
        boolean scalarBefore = KernelMode.scalar();
        if (cfg.training().deterministic()) KernelMode.forceScalar(true);
        try {
            return runIn(cfg, factory, resume, listener, stopAfter);
        } finally {
            KernelMode.forceScalar(scalarBefore);
        }
    }

    private static Result runIn(RunConfig cfg, ModelFactory factory, boolean resume, TrainingListener listener,
                                long stopAfter) {
        Path out = cfg.out();
        TrainingConfig t = cfg.training();
        CheckpointStore store = new CheckpointStore(out.resolve(CHECKPOINTS));
        Path latest = store.latest();
        if (resume && latest == null) {
            throw new UserError(out + ": no checkpoint to resume from (" + store.dir() + " is empty or missing)");
        }
        if (!resume && latest != null) {
            throw new UserError(out + ": already holds the checkpoints of a run (add --resume to continue it, or choose"
                    + " another out directory)");
        }
        DataSource data = cfg.data().open(t.batchSize(), t.seqLen(), t.evalBatches(), t.seed());
        if (cfg.model().vocabSize() < data.vocabSize()) {
            String option = cfg.model() instanceof ModelSpec.Bigram ? "model.vocab_size" : "model.config.vocab_size";
            throw new ConfigError(option, cfg.model().vocabSize() + " is smaller than the data's"
                    + " vocabulary (" + data.vocabSize() + ", " + data.describe() + ")");
        }
        Map<String, Tensor> init = cfg.model().initialWeights(t.seed());
        Trainable model = factory.create(cfg.model(), init);
        JsonNode runJson = cfg.toJson();
        Trainer trainer = new Trainer(model, cfg.model().decayEmbedding(), data, t, runJson);
        MetricsLog log;
        if (resume) {
            store.removeUnfinished();
            TrainingState s = CheckpointStore.load(latest);
            requireSame(s.runConfig(), runJson, "model", latest);
            requireSame(s.runConfig(), runJson, "data", latest);
            trainer.restore(s, latest.toString());
            log = MetricsLog.resume(out.resolve(CSV), s.step());
        } else {
            try {
                Files.createDirectories(out);
            } catch (java.io.IOException e) {
                throw new UserError(out + ": cannot create the run directory (" + e.getMessage() + ")", e);
            }
            log = MetricsLog.create(out.resolve(CSV));
        }
        ConfigFiles.write(out.resolve(RUN_JSON), runJson);
        trainer.run(store, log, listener, stopAfter);
        StepRecord last = log.rows().isEmpty() ? null : log.rows().get(log.rows().size() - 1);
        if (trainer.step() == t.steps()) {
            LossPlot.write(out.resolve(PNG), "training loss: " + out.getFileName(), log.rows());
            Path tokenizer = cfg.data() instanceof DataConfig.Text text ? text.tokenizer() : null;
            boolean byteTokens = cfg.data() instanceof DataConfig.Text && tokenizer == null;
            ModelExport.write(out.resolve(MODEL), cfg.model(), weights(model), tokenizer, byteTokens);
        }
        return new Result(trainer.step(), last, out, model);
    }

    static Map<String, Tensor> weights(Trainable model) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Parameter p : model.parameters()) out.put(p.name(), p.value());
        return out;
    }

    private static void requireSame(JsonNode saved, JsonNode now, String key, Path ckpt) {
        if (!saved.path(key).equals(now.path(key))) {
            throw new UserError(ckpt.resolve(RUN_JSON) + ": the checkpoint was written by a run with another '" + key
                    + "' section than this config; resume with the run's own config (" + ckpt.resolve(RUN_JSON) + ")");
        }
    }
}
