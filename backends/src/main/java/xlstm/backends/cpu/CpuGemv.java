package xlstm.backends.cpu;

import java.lang.foreign.MemorySegment;
import xlstm.backends.Flags;

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
        rows(x, xOff, in, w, wOff, bf16, b, bOff, y, yOff, o0, o1, STREAMS);
    }

    /** {@link #rows} with {@code streams} weight streams per thread (1, 2 or 4; the same results). */
    static void rows(MemorySegment x, long xOff, int in, MemorySegment w, long wOff, boolean bf16,
                     MemorySegment b, long bOff, MemorySegment y, long yOff, int o0, int o1, int streams) {
        int o = o0;
        if (streams > 1 && !KernelMode.scalar() && (!bf16 || Simd.BF16_VECTOR)) {
            // the range in `streams` parts read side by side: that many weight streams in flight per thread
            int part = (o1 - o0) / streams;
            for (int r = 0; r < part; r++) {
                int oa = o0 + r, ob = oa + part;
                if (streams == 4) {
                    Simd.dot4(x, xOff, w, wOff, in, bf16, y, yOff, oa, ob, ob + part, ob + 2 * part);
                    for (int k = 0; k < 4; k++) addBias(b, bOff, y, yOff, oa + k * part);
                } else {
                    Simd.dot2(x, xOff, w, wOff + (long) oa * in, wOff + (long) ob * in, in, bf16, y, yOff + oa, yOff + ob);
                    addBias(b, bOff, y, yOff, oa);
                    addBias(b, bOff, y, yOff, ob);
                }
            }
            o = o0 + streams * part;
        }
        for (; o < o1; o++) {
            float acc = Simd.dot(x, xOff, w, wOff + (long) o * in, in, bf16);
            Simd.setF(y, yOff + o, b == null ? acc : acc + Simd.getF(b, bOff + o));
        }
    }

    private static void addBias(MemorySegment b, long bOff, MemorySegment y, long yOff, int o) {
        if (b != null) Simd.setF(y, yOff + o, Simd.getF(y, yOff + o) + Simd.getF(b, bOff + o));
    }

    /**
     * Weight streams per thread in a decode product ({@code -Dxlstm.gemv.streams}: 1, 2 or 4; default 2): a chunk's
     * rows in that many parts read side by side, more reads in flight per core (on the 16-core Xeon of the GPU host,
     * 2 streams decoded the 125M model 20 % faster than 1, medians of 5 alternating runs); every row is summed
     * exactly as with 1, so the results are the same bits.
     */
    static final int STREAMS = Integer.parseInt(Flags.choice("xlstm.gemv.streams", "2", "1", "2", "4"));

    /**
     * Chunks per thread of a product ({@code -Dxlstm.gemv.chunks}, default 4: late or slow threads are evened out;
     * 1: one contiguous range per thread, the longest streams) and the least weight bytes of a chunk
     * ({@code -Dxlstm.gemv.minChunkKiB}, default 64: the hand-off stays small against the streaming). Settings to
     * compare on a machine, e.g. with {@code scripts/cpu-decode-profile.sh}.
     */
    static final int CHUNKS_PER_THREAD = Flags.intFlag("xlstm.gemv.chunks", 4, 1);
    static final long MIN_CHUNK_BYTES = 1024L * Flags.intFlag("xlstm.gemv.minChunkKiB", 64, 1);

    /**
     * Output rows per parallel chunk for {@code out} rows of {@code in} inputs: a multiple of 4, about
     * {@link #CHUNKS_PER_THREAD} chunks per thread, and at least {@link #MIN_CHUNK_BYTES} of weights per chunk.
     */
    public static int chunkRows(long totalRows, int in, int wBytes) {
        return chunkRows(totalRows, in, wBytes, CpuParallel.threads(), CHUNKS_PER_THREAD, MIN_CHUNK_BYTES);
    }

    static int chunkRows(long totalRows, int in, int wBytes, int threads, int perThread, long minBytes) {
        long chunks = (long) perThread * threads;
        long perChunk = (totalRows + chunks - 1) / chunks;
        long minRows = Math.max(4, minBytes / Math.max(1L, (long) in * wBytes));
        long rows = Math.max(perChunk, minRows);
        return (int) Math.min(Integer.MAX_VALUE - 3, (rows + 3) & ~3L);
    }
}
