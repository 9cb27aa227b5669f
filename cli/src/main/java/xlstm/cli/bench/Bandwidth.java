package xlstm.cli.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import xlstm.backends.cpu.CpuParallel;

/**
 * A STREAM-like copy bandwidth measurement: two off-heap arrays, each split into one slice per thread of the CPU
 * pool ({@link CpuParallel}), copied slice by slice in parallel. Bytes moved count the read and the write (STREAM's
 * convention), so a copy of {@code n} bytes moves {@code 2n}.
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
            double[] sorted = gbs.clone();
            Arrays.sort(sorted);
            double median = repeats % 2 == 1 ? sorted[repeats / 2] : (sorted[repeats / 2 - 1] + sorted[repeats / 2]) / 2;
            return new Result(total, threads, repeats, sorted[repeats - 1], median);
        }
    }
}
