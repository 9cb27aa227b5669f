package xlstm.backends.cpu;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/** Element-wise float32 arithmetic over n values (vectorised, scalar twins, parallel over large ranges). */
public final class CpuElementwise {
    private static final int GRAIN = 1 << 15;

    private CpuElementwise() {}

    /** y = a + b (y may be a or b). */
    public static void add(MemorySegment a, long aOff, MemorySegment b, long bOff, MemorySegment y, long yOff, long n) {
        if (n <= 0) return;
        AddTask t = ParallelTask.take(ADD, AddTask::new);
        t.a = a; t.aOff = aOff; t.b = b; t.bOff = bOff; t.y = y; t.yOff = yOff; t.n = n;
        int chunks = (int) ((n + GRAIN - 1) / GRAIN);
        if (chunks <= 1) t.inline(1); else t.forEach(chunks, 1);
    }

    private static final ThreadLocal<AddTask> ADD = new ThreadLocal<>();

    /** {@link #add} of the range {@code [c·GRAIN, (c+1)·GRAIN)} (reused: the per-token path allocates nothing). */
    private static final class AddTask extends ParallelTask {
        MemorySegment a, b, y;
        long aOff, bOff, yOff, n;

        @Override
        public void accept(int c) {
            long from = (long) c * GRAIN;
            int len = (int) Math.min(GRAIN, n - from);
            int i = 0;
            if (!KernelMode.scalar()) {
                int bound = Simd.loopBound(len);
                for (; i < bound; i += Simd.L) {
                    Simd.store(Simd.load(a, aOff + from + i).add(Simd.load(b, bOff + from + i)), y, yOff + from + i);
                }
            }
            for (; i < len; i++) {
                Simd.setF(y, yOff + from + i, Simd.getF(a, aOff + from + i) + Simd.getF(b, bOff + from + i));
            }
        }

        @Override
        protected void release() { a = b = y = null; }
    }

    /** y = a ⊙ b (y may be a or b). */
    public static void mul(MemorySegment a, long aOff, MemorySegment b, long bOff, MemorySegment y, long yOff, long n) {
        ranges(n, (from, len) -> {
            int i = 0;
            if (!KernelMode.scalar()) {
                int bound = Simd.loopBound(len);
                for (; i < bound; i += Simd.L) {
                    Simd.store(Simd.load(a, aOff + from + i).mul(Simd.load(b, bOff + from + i)), y, yOff + from + i);
                }
            }
            for (; i < len; i++) {
                Simd.setF(y, yOff + from + i, Simd.getF(a, aOff + from + i) * Simd.getF(b, bOff + from + i));
            }
        });
    }

    /** y = alpha·x + y. */
    public static void axpy(float alpha, MemorySegment x, long xOff, MemorySegment y, long yOff, long n) {
        ranges(n, (from, len) -> {
            int i = 0;
            if (!KernelMode.scalar()) {
                int bound = Simd.loopBound(len);
                FloatVector av = FloatVector.broadcast(Simd.F, alpha);
                for (; i < bound; i += Simd.L) {
                    Simd.store(Simd.load(x, xOff + from + i).fma(av, Simd.load(y, yOff + from + i)), y, yOff + from + i);
                }
            }
            for (; i < len; i++) {
                Simd.setF(y, yOff + from + i, Math.fma(Simd.getF(x, xOff + from + i), alpha, Simd.getF(y, yOff + from + i)));
            }
        });
    }

    private interface Body { void run(long from, int len); }

    private static void ranges(long n, Body body) {
        int chunks = (int) ((n + GRAIN - 1) / GRAIN);
        if (chunks <= 1) {
            if (n > 0) body.run(0, (int) n);
            return;
        }
        CpuParallel.forEach(chunks, c -> {
            long from = (long) c * GRAIN;
            body.run(from, (int) Math.min(GRAIN, n - from));
        });
    }
}
