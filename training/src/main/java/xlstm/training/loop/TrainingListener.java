package xlstm.training.loop;

import java.nio.file.Path;

/** Progress of a run: called on the training thread after each step, evaluation and checkpoint. */
public interface TrainingListener {
    TrainingListener NONE = new TrainingListener() {};

    /** Before the first step of this process: the step it starts from (0, or the resumed checkpoint's) and the last. */
    default void onStart(long fromStep, long totalSteps) {}

    default void onStep(StepRecord record, long totalSteps) {}

    default void onCheckpoint(long step, Path dir) {}
}
