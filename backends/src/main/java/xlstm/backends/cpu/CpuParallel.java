package xlstm.backends.cpu;

import java.util.function.IntConsumer;
import xlstm.backends.Flags;

/**
 * The one thread pool of the CPU backend. Kernels split independent work (batch x head, rows of a matmul)
 * with {@link #forEach} or {@link #forChunks}; the thread count comes from {@code -Dxlstm.threads=N} (default: all
 * cores), the caller being one of them. The pool is a {@link SpinPool}: a decode step runs hundreds of parallel
 * operations of a few microseconds each, so the hand-off must cost well under a microsecond and allocate nothing.
 * A nested call (from inside a parallel body) runs inline. A capturing lambda is a new object per call: the per-token
 * path passes a reused {@link ParallelTask} instead.
 */
public final class CpuParallel {
    private static final int THREADS = Flags.intFlag("xlstm.threads", Runtime.getRuntime().availableProcessors(), 1);
    private static final SpinPool POOL = THREADS > 1 ? new SpinPool(THREADS - 1) : null;

    private CpuParallel() {}

    public static int threads() { return THREADS; }

    /** The pool's failed claim attempts so far while {@link DecodeProfile} was on. */
    static long claimRetries() { return POOL == null ? 0 : POOL.casFailures.get(); }

    /** Runs body(i) for i in [0, n), in parallel when worthwhile; returns when all are done. */
    public static void forEach(int n, IntConsumer body) {
        forEach(n, 1, body);
    }

    /**
     * Runs body(i) for i in [0, n), handing out ranges of at least {@code grain} indices per task so that tiny
     * work items do not pay a task each.
     */
    public static void forEach(int n, int grain, IntConsumer body) {
        if (n <= 0) return;
        if (POOL == null || n <= grain || POOL.insideJob()) {
            for (int i = 0; i < n; i++) body.accept(i);
            return;
        }
        int chunks = Math.min(THREADS * 4, Math.max(1, n / Math.max(1, grain)));
        int size = (n + chunks - 1) / chunks;
        int count = (n + size - 1) / size;
        POOL.run(count, size, n, body);
    }

    /**
     * Runs body(c) for every chunk c in [0, chunks) on the pool (the caller's own chunk decomposition, e.g. row
     * blocks of a matrix); inline when there is one chunk, no pool, or a nested call.
     */
    public static void forChunks(int chunks, IntConsumer body) {
        if (chunks <= 0) return;
        if (POOL == null || chunks == 1 || POOL.insideJob()) {
            for (int c = 0; c < chunks; c++) body.accept(c);
            return;
        }
        POOL.run(chunks, body);
    }
}
