package xlstm.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import xlstm.training.loop.StepRecord;
import xlstm.training.loop.TrainingListener;

/**
 * What a user sees of a training run: the step bar on stderr (loss, tokens/s, ETA) and, on stdout, one line per
 * evaluation and checkpoint, so a run's progress stays readable in a log.
 */
final class TrainProgress implements TrainingListener {
    private final String phase;
    private final ProgressBar bar; // null: no bar
    private final PrintWriter out;
    private double smoothedTokensPerS;

    TrainProgress(String phase, ProgressBar bar, PrintWriter out) {
        this.phase = phase;
        this.bar = bar;
        this.out = out;
    }

    @Override
    public void onStart(long fromStep, long totalSteps) {
        if (fromStep > 0) out.println("resuming at step " + fromStep + " of " + totalSteps);
        if (bar != null) bar.update(phase, fromStep, totalSteps, "");
    }

    @Override
    public void onStep(StepRecord r, long totalSteps) {
        // the step's own rate jumps with the batch's content; an average reads better
        smoothedTokensPerS = smoothedTokensPerS == 0 ? r.tokensPerS() : 0.9 * smoothedTokensPerS + 0.1 * r.tokensPerS();
        if (bar != null) {
            bar.update(phase, r.step(), totalSteps, String.format(Locale.ROOT, "loss %.4f  %s tok/s", r.loss(),
                    count(smoothedTokensPerS)));
        }
        if (r.evaluated()) {
            out.println(String.format(Locale.ROOT, "step %d/%d  loss %.4f  val_loss %.4f  lr %.3g  grad_norm %.3f  %s tok/s",
                    r.step(), totalSteps, r.loss(), r.valLoss(), r.lr(), r.gradNorm(), count(smoothedTokensPerS)));
            out.flush();
        }
    }

    @Override
    public void onCheckpoint(long step, Path dir) {
        out.println("checkpoint " + dir);
        out.flush();
    }

    static String count(double v) {
        if (v >= 1e6) return String.format(Locale.ROOT, "%.1fM", v / 1e6);
        if (v >= 1e3) return String.format(Locale.ROOT, "%.1fk", v / 1e3);
        return String.format(Locale.ROOT, "%.0f", v);
    }
}
