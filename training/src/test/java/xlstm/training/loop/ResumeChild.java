package xlstm.training.loop;

import java.nio.file.Path;

/**
 * A training run in a JVM of its own, for the kill-and-resume test: {@code ResumeChild TEXT OUT STEPS} trains the
 * test bigram, checkpointing every step and slowed to 50 ms a step so the parent can kill it mid-run.
 */
public final class ResumeChild {
    private ResumeChild() {}

    public static void main(String[] args) {
        RunConfig cfg = Runs.bigram(Path.of(args[0]), Path.of(args[1]), Integer.parseInt(args[2]), 1, 2);
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
