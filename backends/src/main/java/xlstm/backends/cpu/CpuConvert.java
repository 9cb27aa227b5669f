package xlstm.backends.cpu;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import xlstm.backends.DType;

/** Bulk float32 ↔ bf16 conversion (round to nearest even, NaN kept NaN), vectorised with scalar twins. */
public final class CpuConvert {
    private static final int GRAIN = 1 << 16;

    private CpuConvert() {}

    /** dst[dOff + i] = float(src[sOff + i]) for i < n (bf16 → float32). */
    public static void bf16ToF32(MemorySegment src, long sOff, MemorySegment dst, long dOff, long n) {
        parallel(n, (from, to) -> bf16ToF32Range(src, sOff + from, dst, dOff + from, to - from));
    }

    /** dst[dOff + i] = bf16(src[sOff + i]) for i < n (float32 → bf16, round to nearest even). */
    public static void f32ToBf16(MemorySegment src, long sOff, MemorySegment dst, long dOff, long n) {
        parallel(n, (from, to) -> f32ToBf16Range(src, sOff + from, dst, dOff + from, to - from));
    }

    private interface Range { void run(long from, long to); }

    private static void parallel(long n, Range r) {
        int chunks = (int) Math.min(Integer.MAX_VALUE, (n + GRAIN - 1) / GRAIN);
        if (chunks <= 1) { r.run(0, n); return; }
        CpuParallel.forEach(chunks, c -> r.run((long) c * GRAIN, Math.min(n, (long) (c + 1) * GRAIN)));
    }

    static void bf16ToF32Range(MemorySegment src, long sOff, MemorySegment dst, long dOff, long n) {
        long i = 0;
        if (!KernelMode.scalar() && Simd.BF16_VECTOR) {
            long bound = n - n % Simd.L;
            for (; i < bound; i += Simd.L) Simd.store(Simd.loadBf16(src, sOff + i), dst, dOff + i);
        }
        for (; i < n; i++) Simd.setF(dst, dOff + i, Simd.getBf16(src, sOff + i));
    }

    static void f32ToBf16Range(MemorySegment src, long sOff, MemorySegment dst, long dOff, long n) {
        long i = 0;
        if (!KernelMode.scalar() && Simd.BF16_VECTOR) {
            long bound = n - n % Simd.L;
            for (; i < bound; i += Simd.L) {
                FloatVector f = Simd.load(src, sOff + i);
                IntVector bits = f.reinterpretAsInts();
                IntVector hi = bits.lanewise(VectorOperators.LSHR, 16);
                IntVector rounded = bits.add(0x7fff).add(hi.and(1)).lanewise(VectorOperators.LSHR, 16);
                VectorMask<Float> nan = f.test(VectorOperators.IS_NAN);
                IntVector out = rounded.blend(hi.or(0x40), nan.cast(Simd.I));
                ShortVector s = (ShortVector) out.convertShape(VectorOperators.I2S, Simd.S, 0);
                s.intoMemorySegment(dst, (dOff + i) * 2, Simd.ORDER);
            }
        }
        for (; i < n; i++) dst.setAtIndex(Simd.SHORT, dOff + i, DType.toBf16(Simd.getF(src, sOff + i)));
    }
}
