package xlstm.cli.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import xlstm.backends.cpu.CpuParallel;
import xlstm.backends.cpu.HugePages;

/**
 * Memory bandwidth with the threads of the CPU pool ({@link CpuParallel}), one slice of an off-heap array per thread:
 * a STREAM-like copy, whose bytes count the read and the write (STREAM's convention: a copy of {@code n} bytes moves
 * {@code 2n}), and a read-only sum of floats with the Vector API, the access pattern of a decode step's weights.
 */
public final class Bandwidth {
    /** Rates of {@code repeats} timed copies, in GB/s (1e9 bytes), after one untimed copy. */
    public record Result(long bytesPerArray, int threads, int repeats, double bestGbs, double medianGbs) {}

    private Bandwidth() {}

    /** Copies {@code bytesPerArray} bytes (rounded to 4 KiB per thread slice) {@code repeats} times. */
    public static Result copy(long bytesPerArray, int repeats) {
        if (bytesPerArray < 4096 || repeats < 1) throw new IllegalArgumentException("array >= 4 KiB, repeats >= 1");
        int threads = CpuParallel.threads();
        long slice = Math.max(4096, bytesPerArray / threads / 4096 * 4096);
        long total = slice * threads;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment a = arena.allocate(total, 4096), b = arena.allocate(total, 4096);
            // first touch by the threads that later copy each slice (pages land near them), and no zero pages
            CpuParallel.forEach(threads, t -> {
                MemorySegment s = a.asSlice(t * slice, slice);
                for (long j = 0; j < slice; j += 8) s.set(ValueLayout.JAVA_LONG_UNALIGNED, j, j * 0x9E3779B97F4A7C15L);
                b.asSlice(t * slice, slice).fill((byte) 1);
            });
            double[] gbs = new double[repeats];
            for (int r = -1; r < repeats; r++) {
                long t0 = System.nanoTime();
                CpuParallel.forEach(threads, t -> MemorySegment.copy(a, t * slice, b, t * slice, slice));
                double s = (System.nanoTime() - t0) / 1e9;
                if (r >= 0) gbs[r] = 2.0 * total / s / 1e9;
            }
            return result(total, threads, gbs);
        }
    }

    private static Result result(long total, int threads, double[] gbs) {
        int repeats = gbs.length;
        double[] sorted = gbs.clone();
        Arrays.sort(sorted);
        double median = repeats % 2 == 1 ? sorted[repeats / 2] : (sorted[repeats / 2 - 1] + sorted[repeats / 2]) / 2;
        return new Result(total, threads, repeats, sorted[repeats - 1], median);
    }

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** The slices' sums, kept so that the JIT cannot drop the reads. */
    private static volatile double sink;

    /**
     * Sums {@code bytes} bytes of floats (rounded to 4 KiB per thread slice) {@code repeats} times, each thread its
     * slice with four vector accumulators (more loads in flight than one dependent chain allows); bytes read per second.
     */
    public static Result read(long bytes, int repeats) {
        return read(bytes, repeats, false);
    }

    /**
     * As {@link #read(long, int)}; with {@code hugePages} the array is {@link HugePages} memory (null when the OS
     * cannot be advised), to compare with the 4 KiB pages of the other form.
     */
    public static Result read(long bytes, int repeats, boolean hugePages) {
        return read(bytes, repeats, hugePages, 1);
    }

    /**
     * As {@link #read(long, int, boolean)}; with {@code streams} 2 each thread sums the two halves of its slice side
     * by side (two reads in flight from different places, as {@code -Dxlstm.gemv.streams=2} reads weights).
     */
    public static Result read(long bytes, int repeats, boolean hugePages, int streams) {
        if (bytes < 4096 || repeats < 1) throw new IllegalArgumentException("array >= 4 KiB, repeats >= 1");
        int threads = CpuParallel.threads();
        long slice = Math.max(4096, bytes / threads / 4096 * 4096);
        long total = slice * threads;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment a;
            if (hugePages) {
                HugePages.Block b = HugePages.allocate(total, arena); // freed with the arena, after the passes
                if (!b.advised()) return null;
                a = b.segment();
            } else {
                a = arena.allocate(total, 4096);
            }
            CpuParallel.forEach(threads, t -> {
                MemorySegment s = a.asSlice(t * slice, slice);
                for (long j = 0; j < slice; j += 4) s.set(ValueLayout.JAVA_FLOAT_UNALIGNED, j, (j & 1023) * 1e-3f);
            });
            double[] sums = new double[threads];
            // compiled before the timed passes: one pass calls sum once per thread, too few for the JIT
            long warm = Math.min(slice, 1L << 16);
            for (int k = 0; k < 3000; k++) CpuParallel.forEach(threads, t -> sums[t] = sum(a, t * slice, warm, streams));
            double[] gbs = new double[repeats];
            for (int r = -1; r < repeats; r++) {
                long t0 = System.nanoTime();
                CpuParallel.forEach(threads, t -> sums[t] = sum(a, t * slice, slice, streams));
                double s = (System.nanoTime() - t0) / 1e9;
                if (r >= 0) gbs[r] = total / s / 1e9;
                double all = 0;
                for (double v : sums) all += v;
                sink = all;
            }
            return result(total, threads, gbs);
        }
    }

    private static double sum(MemorySegment a, long from, long bytes, int streams) {
        if (streams != 2) return sum(a, from, bytes);
        long step = 4L * F.length(), half = bytes / 2 / (2 * step) * (2 * step);
        FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
        for (long o = from; o < from + half; o += 2 * step) {
            s0 = s0.add(FloatVector.fromMemorySegment(F, a, o, java.nio.ByteOrder.nativeOrder()));
            s1 = s1.add(FloatVector.fromMemorySegment(F, a, o + half, java.nio.ByteOrder.nativeOrder()));
            s2 = s2.add(FloatVector.fromMemorySegment(F, a, o + step, java.nio.ByteOrder.nativeOrder()));
            s3 = s3.add(FloatVector.fromMemorySegment(F, a, o + half + step, java.nio.ByteOrder.nativeOrder()));
        }
        double tail = 0;
        for (long o = from + 2 * half; o < from + bytes; o += 4) tail += a.get(ValueLayout.JAVA_FLOAT_UNALIGNED, o);
        return s0.add(s1).add(s2).add(s3).reduceLanes(VectorOperators.ADD) + tail;
    }

    private static double sum(MemorySegment a, long from, long bytes) {
        long step = 4L * F.length();
        long end = from + bytes / (4 * step) * (4 * step);
        FloatVector s0 = FloatVector.zero(F), s1 = s0, s2 = s0, s3 = s0;
        for (long o = from; o < end; o += 4 * step) {
            s0 = s0.add(FloatVector.fromMemorySegment(F, a, o, java.nio.ByteOrder.nativeOrder()));
            s1 = s1.add(FloatVector.fromMemorySegment(F, a, o + step, java.nio.ByteOrder.nativeOrder()));
            s2 = s2.add(FloatVector.fromMemorySegment(F, a, o + 2 * step, java.nio.ByteOrder.nativeOrder()));
            s3 = s3.add(FloatVector.fromMemorySegment(F, a, o + 3 * step, java.nio.ByteOrder.nativeOrder()));
        }
        double tail = 0;
        for (long o = end; o < from + bytes; o += 4) tail += a.get(ValueLayout.JAVA_FLOAT_UNALIGNED, o);
        return s0.add(s1).add(s2).add(s3).reduceLanes(VectorOperators.ADD) + tail;
    }
}
