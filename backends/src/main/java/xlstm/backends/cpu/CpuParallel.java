package xlstm.backends.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;
import java.util.function.IntConsumer;

/**
 * The one thread pool of the CPU backend. Kernels split independent work (batch x head, rows of a matmul)
 * with {@link #forEach}; the thread count comes from {@code -Dxlstm.threads=N} (default: all cores).
 */
public final class CpuParallel {
    private static final int THREADS = Integer.getInteger("xlstm.threads", Runtime.getRuntime().availableProcessors());
    private static final ForkJoinPool POOL = THREADS > 1 ? new ForkJoinPool(THREADS) : null;

    private CpuParallel() {}

    public static int threads() { return THREADS; }

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
        if (POOL == null || n <= grain) {
            for (int i = 0; i < n; i++) body.accept(i);
            return;
        }
        int chunks = Math.min(THREADS * 4, Math.max(1, n / Math.max(1, grain)));
        if (Thread.currentThread() instanceof java.util.concurrent.ForkJoinWorkerThread w && w.getPool() == POOL) {
            // nested call from inside the pool: run inline to avoid starving the pool
            for (int i = 0; i < n; i++) body.accept(i);
            return;
        }
        POOL.invoke(new Range(body, 0, n, Math.max(1, (n + chunks - 1) / chunks)));
    }

    private static final class Range extends RecursiveAction {
        private final IntConsumer body;
        private final int lo, hi, grain;

        Range(IntConsumer body, int lo, int hi, int grain) {
            this.body = body; this.lo = lo; this.hi = hi; this.grain = grain;
        }

        @Override
        protected void compute() {
            if (hi - lo <= grain) {
                for (int i = lo; i < hi; i++) body.accept(i);
                return;
            }
            int mid = (lo + hi) >>> 1;
            invokeAll(new Range(body, lo, mid, grain), new Range(body, mid, hi, grain));
        }
    }
}
