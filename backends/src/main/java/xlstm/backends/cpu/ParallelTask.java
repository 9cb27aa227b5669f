package xlstm.backends.cpu;

import java.util.function.IntConsumer;
import java.util.function.Supplier;

/**
 * A parallel body whose arguments are fields set before each call, for the per-token path: a capturing lambda is a
 * new object on every call (escape analysis cannot remove it, the pool publishes it), a task is reused. Each call
 * site keeps one task per calling thread ({@link #take}); the pool's threads only read the fields while the caller
 * waits in {@link #forEach}, which also publishes them (the pool's hand-off is a volatile write).
 */
public abstract class ParallelTask implements IntConsumer {
    private boolean inUse;

    /**
     * The calling thread's task of a call site, or a fresh one when that is in use (a call site reached again from
     * inside its own body runs inline on the same thread).
     */
    public static <T extends ParallelTask> T take(ThreadLocal<T> perThread, Supplier<T> make) {
        T t = perThread.get();
        if (t == null) {
            t = make.get();
            perThread.set(t);
        }
        if (((ParallelTask) t).inUse) t = make.get();
        ((ParallelTask) t).inUse = true;
        return t;
    }

    /** {@link CpuParallel#forEach(int, int, IntConsumer)} of this task, then {@link #release}. */
    public final void forEach(int n, int grain) {
        try {
            CpuParallel.forEach(n, grain, this);
        } finally {
            done();
        }
    }

    /** {@link CpuParallel#forChunks} of this task, then {@link #release}. */
    public final void forChunks(int chunks) {
        try {
            CpuParallel.forChunks(chunks, this);
        } finally {
            done();
        }
    }

    /** Runs accept(i) for i in [0, n) on this thread, then {@link #release}. */
    public final void inline(int n) {
        try {
            for (int i = 0; i < n; i++) accept(i);
        } finally {
            done();
        }
    }

    private void done() {
        release();
        inUse = false;
    }

    /** Drops the call's references (segments, arrays) so that a finished call keeps no memory reachable. */
    protected abstract void release();
}
