package xlstm.backends.cpu;

import java.lang.foreign.MemorySegment;

/**
 * The matrix-vector product of a decode step, {@code y[o] = Σ_i x[i]·W[o, i] (+ b[o])} for a range of output rows,
 * W float32 or bf16 (widened by a shift, accumulated in float32). Memory-bound: the rows of a chunk are read one
 * after the other, which for a row-major W is one sequential stream (measured on a Zen 4 core: 19 GB/s, where four
 * rows interleaved, four shorter streams, reached 12-15 GB/s). Offsets are in elements.
 */
public final class CpuGemv {
    private CpuGemv() {}

    /** Output rows [o0, o1) of one input vector x (length {@code in}). */
    public static void rows(MemorySegment x, long xOff, int in, MemorySegment w, long wOff, boolean bf16,
                            MemorySegment b, long bOff, MemorySegment y, long yOff, int o0, int o1) {
        for (int o = o0; o < o1; o++) {
            float acc = Simd.dot(x, xOff, w, wOff + (long) o * in, in, bf16);
            Simd.setF(y, yOff + o, b == null ? acc : acc + Simd.getF(b, bOff + o));
        }
    }

    /**
     * Output rows per parallel chunk for {@code out} rows of {@code in} inputs: a multiple of 4, about four chunks
     * per thread, and at least 64 KiB of weights per chunk so the hand-off stays small against the streaming.
     */
    public static int chunkRows(long totalRows, int in, int wBytes) {
        int threads = CpuParallel.threads();
        long perChunk = (totalRows + 4L * threads - 1) / (4L * threads);
        long minRows = Math.max(4, (64 * 1024) / Math.max(1L, (long) in * wBytes));
        long rows = Math.max(perChunk, minRows);
        return (int) Math.min(Integer.MAX_VALUE - 3, (rows + 3) & ~3L);
    }
}
