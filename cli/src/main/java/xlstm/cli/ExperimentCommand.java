package xlstm.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import xlstm.runtime.UserError;
import xlstm.training.data.ParityTask;
import xlstm.training.experiment.ParityExperiment;
import xlstm.training.loop.TrainingConfig;

/** {@code xlstm experiment}: the paper's experiments at a small scale. */
@Command(name = "experiment", mixinStandardHelpOptions = true,
        description = "Run an experiment of the xLSTM paper at a small scale.",
        subcommands = ExperimentCommand.Parity.class)
final class ExperimentCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ErrorReporter.USER_ERROR;
    }

    /** {@code xlstm experiment parity}. */
    @Command(name = "parity", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Parity (Chomsky hierarchy, regular): sLSTM-only, mLSTM-only and",
                    "mLSTM+sLSTM models of 2 blocks, trained on bit strings of length 1..40 and",
                    "tested on 41..256. Prints each model's scaled accuracy (0 = chance,",
                    "1 = perfect); writes OUT/parity.csv, OUT/parity.png and a run directory",
                    "per model. Steps and sizes are options; the defaults took 9 minutes for",
                    "the three models on 2 CPU cores."},
            footer = {"", "Example:", "  xlstm experiment parity --out runs/parity --steps 300"})
    static final class Parity implements Callable<Integer> {
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory of the results.")
        Path out;

        @Option(names = "--steps", defaultValue = "2000", paramLabel = "N", description = "Steps per model (default: ${DEFAULT-VALUE}).")
        int steps;

        @Option(names = "--batch-size", defaultValue = "32", paramLabel = "B", description = "Strings per batch (default: ${DEFAULT-VALUE}).")
        int batchSize;

        @Option(names = "--embedding-dim", defaultValue = "32", paramLabel = "E",
                description = "Embedding dim of every model (default: ${DEFAULT-VALUE}; the paper: 64).")
        int embeddingDim;

        @Option(names = "--num-heads", defaultValue = "1", paramLabel = "H", description = "Heads of every layer (default: ${DEFAULT-VALUE}).")
        int numHeads;

        @Option(names = "--lr", defaultValue = "3e-3", paramLabel = "LR", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
        double lr;

        @Option(names = "--warmup", defaultValue = "50", paramLabel = "N", description = "Warm-up steps (default: ${DEFAULT-VALUE}).")
        int warmup;

        @Option(names = "--targets", defaultValue = "last", paramLabel = "last|every",
                description = "Positions of the training strings with a target: last (the final bit only, as the "
                        + "paper) or every (the running parity of each prefix: a denser signal, learnt sooner). The "
                        + "test scores the final bit only either way (default: ${DEFAULT-VALUE}).")
        String targets;

        @Option(names = "--eval-every", defaultValue = "250", paramLabel = "N",
                description = "Steps between losses on the test lengths (default: ${DEFAULT-VALUE}).")
        int evalEvery;

        @Option(names = "--test-samples", defaultValue = "512", paramLabel = "N",
                description = "Strings of the final accuracy test (default: ${DEFAULT-VALUE}).")
        int testSamples;

        @Option(names = "--seed", defaultValue = "42", paramLabel = "S", description = "Seed (default: ${DEFAULT-VALUE}).")
        int seed;

        @Option(names = "--progress", negatable = true, description = "Show a progress bar (default: when stderr is a terminal).")
        Boolean progress;

        @Spec CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter stdout = spec.commandLine().getOut(), err = spec.commandLine().getErr();
            positive(testSamples, "--test-samples");
            positive(embeddingDim, "--embedding-dim");
            positive(numHeads, "--num-heads");
            ParityTask.Targets tg = switch (targets) {
                case "last" -> ParityTask.Targets.LAST;
                case "every" -> ParityTask.Targets.EVERY;
                default -> throw new UserError("--targets must be last or every, got \"" + targets + "\"");
            };
            if (embeddingDim % numHeads != 0) {
                throw new UserError("--num-heads " + numHeads + " does not divide --embedding-dim " + embeddingDim);
            }
            TrainingConfig t;
            try {
                t = new TrainingConfig(steps, batchSize, 1, lr, Math.min(warmup, steps), lr / 1000, 0.1, 1.0, 0.9, 0.999,
                        1e-8, seed, evalEvery, 4, steps, 1, true);
            } catch (xlstm.runtime.config.ConfigError e) {
                String option = e.option().equals("warmup_steps") ? "warmup" : e.option().replace('_', '-');
                throw new UserError("--" + option + ": " + e.problem(), e);
            }
            stdout.println("parity: 3 models, " + steps + " steps each, targets at " + (tg == ParityTask.Targets.EVERY
                    ? "every position" : "the last bit") + " of the training strings; results in " + out);
            var options = new ParityExperiment.Options(embeddingDim, numHeads, t, ParityTask.TRAIN.withTargets(tg),
                    ParityTask.TEST, testSamples);
            ProgressBar bar = ProgressBar.forSteps(err, progress);
            List<ParityExperiment.Row> rows = ParityExperiment.run(options, out, TrainCommand.MODELS,
                    v -> new TrainProgress(v.name(), bar, stdout), stdout::println);
            stdout.println();
            stdout.print(ParityExperiment.table(rows));
            stdout.println("wrote " + out.resolve("parity.csv") + " and " + out.resolve("parity.png"));
            return 0;
        }

        private static void positive(int v, String option) {
            if (v <= 0) throw new UserError(option + " must be a positive integer, got " + v);
        }
    }
}
