package xlstm.runtime.checkpoint;

/**
 * Progress of a long operation in bytes (loading, converting, writing a checkpoint). Called from the thread doing
 * the work, at least once at the start ({@code done = 0}) and once at the end ({@code done = total}).
 */
@FunctionalInterface
public interface ProgressListener {
    /** No progress reports. */
    ProgressListener NONE = (phase, done, total) -> {};

    /**
     * @param phase what is being done ("loading", "converting to bf16", "writing")
     * @param done  bytes done so far
     * @param total bytes in all
     */
    void update(String phase, long done, long total);
}
