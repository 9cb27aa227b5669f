package xlstm.backends.cpu;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * Normalisations over the last axis of float32 rows, parallel over rows; y may be x (in place). Statistics
 * use float32 vector partial sums reduced in double (scalar twins accumulate in double). Weights and biases
 * are float32 (null = none).
 * <ul>
 *   <li>{@link #layerNorm}: {@code (x − mean)/sqrt(var + eps)·scale + b}, biased variance, {@code scale = w} or,
 *       with {@code offsetWeight}, {@code 1 + w} (the original architecture stores LayerNorm weights as offsets);</li>
 *   <li>{@link #groupNorm}: the same per group of {@code groupSize} consecutive features, weight/bias indexed by
 *       feature: the multi-head layer norm (per head over DH, weight applied after);</li>
 *   <li>{@link #rmsNorm}: {@code x·rsqrt(mean(x²) + eps)·w + b}.</li>
 * </ul>
 */
public final class CpuNorms {
    private CpuNorms() {}

    public static void layerNorm(MemorySegment x, long xOff, MemorySegment y, long yOff, int rows, int n,
                                 MemorySegment w, long wOff, MemorySegment b, long bOff, float eps,
                                 boolean offsetWeight) {
        groupNorm(x, xOff, y, yOff, rows, 1, n, w, wOff, b, bOff, eps, offsetWeight);
    }

    /** Rows of {@code groups·groupSize} features, each group normalised on its own. */
    public static void groupNorm(MemorySegment x, long xOff, MemorySegment y, long yOff, int rows, int groups,
                                 int groupSize, MemorySegment w, long wOff, MemorySegment b, long bOff, float eps,
                                 boolean offsetWeight) {
        int n = groups * groupSize;
        int grain = Math.max(1, 8192 / Math.max(1, n));
        boolean scalar = KernelMode.scalar();
        GroupNormTask t = ParallelTask.take(GROUP_NORM, GroupNormTask::new);
        t.x = x; t.xOff = xOff; t.y = y; t.yOff = yOff; t.groups = groups; t.groupSize = groupSize;
        t.w = w; t.wOff = wOff; t.b = b; t.bOff = bOff; t.eps = eps; t.offsetWeight = offsetWeight; t.scalar = scalar;
        t.forEach(rows, grain);
    }

    private static final ThreadLocal<GroupNormTask> GROUP_NORM = new ThreadLocal<>();

    /** {@link #groupNorm}'s row body with its arguments (reused: the per-token path allocates nothing). */
    private static final class GroupNormTask extends ParallelTask {
        MemorySegment x, y, w, b;
        long xOff, yOff, wOff, bOff;
        int groups, groupSize;
        float eps;
        boolean offsetWeight, scalar;

        @Override
        public void accept(int r) {
            int n = groups * groupSize;
            for (int g = 0; g < groups; g++) {
                long xo = xOff + (long) r * n + (long) g * groupSize;
                long yo = yOff + (long) r * n + (long) g * groupSize;
                long po = (long) g * groupSize;
                if (scalar) normScalar(x, xo, y, yo, groupSize, w, wOff + po, b, bOff + po, eps, offsetWeight);
                else normVector(x, xo, y, yo, groupSize, w, wOff + po, b, bOff + po, eps, offsetWeight);
            }
        }

        @Override
        protected void release() { x = y = w = b = null; }
    }

    static void normScalar(MemorySegment x, long xo, MemorySegment y, long yo, int n, MemorySegment w, long wo,
                           MemorySegment b, long bo, float eps, boolean offset) {
        double sum = 0;
        for (int i = 0; i < n; i++) sum += Simd.getF(x, xo + i);
        float mean = (float) (sum / n);
        double ss = 0;
        for (int i = 0; i < n; i++) {
            double d = Simd.getF(x, xo + i) - mean;
            ss += d * d;
        }
        float rstd = (float) (1.0 / Math.sqrt(ss / n + eps));
        for (int i = 0; i < n; i++) {
            float v = (Simd.getF(x, xo + i) - mean) * rstd;
            if (w != null) v *= offset ? 1f + Simd.getF(w, wo + i) : Simd.getF(w, wo + i);
            if (b != null) v += Simd.getF(b, bo + i);
            Simd.setF(y, yo + i, v);
        }
    }

    static void normVector(MemorySegment x, long xo, MemorySegment y, long yo, int n, MemorySegment w, long wo,
                           MemorySegment b, long bo, float eps, boolean offset) {
        int bound = Simd.loopBound(n);
        FloatVector acc = FloatVector.zero(Simd.F);
        int i = 0;
        for (; i < bound; i += Simd.L) acc = acc.add(Simd.load(x, xo + i));
        double sum = Simd.sum(acc);
        for (; i < n; i++) sum += Simd.getF(x, xo + i);
        float mean = (float) (sum / n);
        FloatVector mv = FloatVector.broadcast(Simd.F, mean);
        acc = FloatVector.zero(Simd.F);
        for (i = 0; i < bound; i += Simd.L) {
            FloatVector d = Simd.load(x, xo + i).sub(mv);
            acc = d.fma(d, acc);
        }
        double ss = Simd.sum(acc);
        for (; i < n; i++) {
            double d = Simd.getF(x, xo + i) - mean;
            ss += d * d;
        }
        float rstd = (float) (1.0 / Math.sqrt(ss / n + eps));
        FloatVector rv = FloatVector.broadcast(Simd.F, rstd);
        FloatVector one = FloatVector.broadcast(Simd.F, 1f);
        for (i = 0; i < bound; i += Simd.L) {
            FloatVector v = Simd.load(x, xo + i).sub(mv).mul(rv);
            if (w != null) {
                FloatVector s = Simd.load(w, wo + i);
                v = v.mul(offset ? s.add(one) : s);
            }
            if (b != null) v = v.add(Simd.load(b, bo + i));
            Simd.store(v, y, yo + i);
        }
        for (; i < n; i++) {
            float v = (Simd.getF(x, xo + i) - mean) * rstd;
            if (w != null) v *= offset ? 1f + Simd.getF(w, wo + i) : Simd.getF(w, wo + i);
            if (b != null) v += Simd.getF(b, bo + i);
            Simd.setF(y, yo + i, v);
        }
    }

    public static void rmsNorm(MemorySegment x, long xOff, MemorySegment y, long yOff, int rows, int n,
                               MemorySegment w, long wOff, MemorySegment b, long bOff, float eps) {
        int grain = Math.max(1, 8192 / Math.max(1, n));
        boolean scalar = KernelMode.scalar();
        RmsNormTask t = ParallelTask.take(RMS_NORM, RmsNormTask::new);
        t.x = x; t.xOff = xOff; t.y = y; t.yOff = yOff; t.n = n; t.w = w; t.wOff = wOff; t.b = b; t.bOff = bOff;
        t.eps = eps; t.scalar = scalar;
        t.forEach(rows, grain);
    }

    private static final ThreadLocal<RmsNormTask> RMS_NORM = new ThreadLocal<>();

    /** {@link #rmsNorm}'s row body with its arguments (reused: the per-token path allocates nothing). */
    private static final class RmsNormTask extends ParallelTask {
        MemorySegment x, y, w, b;
        long xOff, yOff, wOff, bOff;
        int n;
        float eps;
        boolean scalar;

        @Override
        public void accept(int r) {
            long xo = xOff + (long) r * n, yo = yOff + (long) r * n;
            int i = 0;
            double ss = 0;
            int bound = scalar ? 0 : Simd.loopBound(n);
            if (bound > 0) {
                FloatVector acc = FloatVector.zero(Simd.F);
                for (; i < bound; i += Simd.L) {
                    FloatVector v = Simd.load(x, xo + i);
                    acc = v.fma(v, acc);
                }
                ss = Simd.sum(acc);
            }
            for (; i < n; i++) {
                double v = Simd.getF(x, xo + i);
                ss += v * v;
            }
            float rstd = (float) (1.0 / Math.sqrt(ss / n + eps));
            i = 0;
            if (bound > 0) {
                FloatVector rv = FloatVector.broadcast(Simd.F, rstd);
                for (; i < bound; i += Simd.L) {
                    FloatVector v = Simd.load(x, xo + i).mul(rv);
                    if (w != null) v = v.mul(Simd.load(w, wOff + i));
                    if (b != null) v = v.add(Simd.load(b, bOff + i));
                    Simd.store(v, y, yo + i);
                }
            }
            for (; i < n; i++) {
                float v = Simd.getF(x, xo + i) * rstd;
                if (w != null) v *= Simd.getF(w, wOff + i);
                if (b != null) v += Simd.getF(b, bOff + i);
                Simd.setF(y, yo + i, v);
            }
        }

        @Override
        protected void release() { x = y = w = b = null; }
    }
}
