package xlstm.benchmarks;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;
import xlstm.backends.DType;

/** Random off-heap inputs of the kernel benchmarks: uniform in (-1, 1), seeded. */
final class Data {
    private Data() {}

    static MemorySegment floats(long n, long seed) {
        MemorySegment s = Arena.ofAuto().allocate(4 * n, 64);
        SplittableRandom r = new SplittableRandom(seed);
        for (long i = 0; i < n; i++) s.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, (float) (2 * r.nextDouble() - 1));
        return s;
    }

    static MemorySegment bf16(long n, long seed) {
        MemorySegment s = Arena.ofAuto().allocate(2 * n, 64);
        SplittableRandom r = new SplittableRandom(seed);
        for (long i = 0; i < n; i++) {
            s.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, DType.toBf16((float) (2 * r.nextDouble() - 1)));
        }
        return s;
    }
}
