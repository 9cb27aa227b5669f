package xlstm.training.loop;

import java.nio.file.Path;

/**
 * A training run in a JVM of its own, for the kill-and-resume test: {@code ResumeChild bigram|lm TEXT OUT STEPS}
 * trains the test bigram or the small xLSTMLMModel, checkpointing every step and slowed to 50 ms a step so the
 * parent can kill it mid-run.
 */
public final class ResumeChild {
    private ResumeChild() {}

    static RunConfig config(String model, Path text, Path out, int steps) {
        return model.equals("lm") ? Runs.lm(text, out, steps, 1, 2) : Runs.bigram(text, out, steps, 1, 2);
    }

    public static void main(String[] args) {
        RunConfig cfg = config(args[0], Path.of(args[1]), Path.of(args[2]), Integer.parseInt(args[3]));
        TrainingRun.run(cfg, ModelFactory.REFERENCE, false, new TrainingListener() {
            @Override
            public void onStep(StepRecord record, long totalSteps) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
    }
}
