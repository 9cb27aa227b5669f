package xlstm.backends.cpu;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** Reductions over float32 rows: argmax (first index of the maximum; a NaN counts as the maximum, as in torch). */
public final class CpuReduce {
    private CpuReduce() {}

    /** Index of the largest of n floats at {@code off} (the first one on ties; the first NaN if any). */
    public static int argmax(MemorySegment x, long off, int n) {
        if (n <= 0) throw new IllegalArgumentException("argmax of an empty row");
        float max;
        int i = 0;
        if (!KernelMode.scalar() && n >= Simd.L) {
            int bound = Simd.loopBound(n);
            FloatVector m = Simd.load(x, off);
            for (i = Simd.L; i < bound; i += Simd.L) m = m.max(Simd.load(x, off + i));
            max = m.reduceLanes(VectorOperators.MAX);
            for (; i < n; i++) max = Math.max(max, Simd.getF(x, off + i));
        } else {
            max = Simd.getF(x, off);
            for (i = 1; i < n; i++) max = Math.max(max, Simd.getF(x, off + i));
        }
        boolean nan = Float.isNaN(max);
        for (i = 0; i < n; i++) {
            float v = Simd.getF(x, off + i);
            if (nan ? Float.isNaN(v) : v == max) return i;
        }
        return n - 1; // unreachable
    }

    /** argmax of each of {@code rows} rows of n floats. */
    public static int[] argmaxRows(MemorySegment x, long off, int rows, int n) {
        int[] out = new int[rows];
        CpuParallel.forEach(rows, Math.max(1, 16384 / Math.max(1, n)), r -> out[r] = argmax(x, off + (long) r * n, n));
        return out;
    }
}
