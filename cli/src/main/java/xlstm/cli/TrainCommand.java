package xlstm.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import xlstm.runtime.UserError;
import xlstm.training.loop.ModelFactory;
import xlstm.training.loop.RunConfig;
import xlstm.training.loop.LossPlot;
import xlstm.training.loop.TrainingRun;

/** {@code xlstm train --config FILE}: a training run as its config file describes it. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Train a model as a config file (YAML or JSON) describes it.", "",
                "The config has four parts: model (type lm: the original xLSTM; large: the",
                "xLSTM 7B architecture; bigram: a baseline), data (a text file, optionally",
                "with a tokenizer.json, or the parity task), training (steps, batch_size,",
                "seq_len, lr, warmup_steps, min_lr, weight_decay, clip, seed, eval_every,",
                "checkpoint_every, keep_checkpoints, ...) and out (the run's directory).",
                "The run writes out/metrics.csv as it goes, checkpoints to out/checkpoints,",
                "and at the end out/loss.png and the trained model in out/model. --resume",
                "continues from the newest checkpoint with the uninterrupted run's losses."},
        footer = {"", "Examples:",
                "  xlstm train --config examples/train/bigram-readme.yaml",
                "  xlstm train --config examples/train/lm-text.yaml --resume",
                "  xlstm train --config run.yaml --out runs/try2 --steps 200"})
final class TrainCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "The run's config (.yaml, .yml or .json).")
    Path config;

    @Option(names = "--resume", description = "Continue the run in the out directory from its newest checkpoint.")
    boolean resume;

    @Option(names = "--out", paramLabel = "DIR", description = "The run's directory (instead of the config's 'out').")
    Path out;

    @Option(names = "--steps", paramLabel = "N", description = "Total steps (instead of the config's training.steps).")
    Integer steps;

    @Option(names = "--progress", negatable = true,
            description = "Show a progress bar (default: when stderr is a terminal).")
    Boolean progress;

    @Spec CommandSpec spec;

    /** The trainable models of the build. */
    static final ModelFactory MODELS = ModelFactory.REFERENCE;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut(), err = spec.commandLine().getErr();
        RunConfig cfg = RunConfig.load(config);
        if (out != null) cfg = cfg.withOut(out);
        if (steps != null) {
            if (steps <= 0) throw new UserError("--steps must be a positive integer, got " + steps);
            cfg = cfg.withTraining(cfg.training().withSteps(steps));
        }
        var t = cfg.training();
        stdout.println("training " + cfg.model().toJson().get("type").asText() + " for " + t.steps() + " steps, batch "
                + t.batchSize() + (cfg.data() instanceof xlstm.training.loop.DataConfig.Text ? " x " + t.seqLen() : "")
                + ", lr " + t.lr() + "; run directory " + cfg.out());
        ProgressBar bar = ProgressBar.forSteps(err, progress);
        TrainingRun.Result r;
        try {
            r = TrainingRun.run(cfg, MODELS, resume, new TrainProgress("training", bar, stdout));
        } catch (xlstm.runtime.config.ConfigError e) { // found once the data is read (e.g. a vocabulary too small)
            throw RunConfig.located(config, e);
        }
        Path dir = r.dir();
        stdout.println("done: " + r.step() + " steps; log " + dir.resolve(TrainingRun.CSV) + ", "
                + (LossPlot.available() ? "plot " + dir.resolve(TrainingRun.PNG) : "no plot (this Java has no java.desktop)")
                + ", model " + dir.resolve(TrainingRun.MODEL));
        return 0;
    }
}
