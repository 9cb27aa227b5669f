package xlstm.backends.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Embedding lookup: rows of a table (V, E) float32 or bf16 gathered by token ids (int64 or int32) into float32
 * output (n, E). Every id is checked before anything is written: an id outside [0, V) throws
 * {@link IndexOutOfBoundsException} naming the id and its position.
 */
public final class CpuEmbedding {
    private CpuEmbedding() {}

    public static void embedding(MemorySegment table, long tOff, boolean tableBf16, int vocab, int dim,
                                 MemorySegment ids, long idOff, boolean ids64, int n, MemorySegment y, long yOff) {
        long[] rows = new long[n];
        for (int i = 0; i < n; i++) {
            long id = ids64 ? ids.getAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, idOff + i)
                    : ids.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED, idOff + i);
            if (id < 0 || id >= vocab) {
                throw new IndexOutOfBoundsException("token id " + id + " at position " + i
                        + " is outside the vocabulary [0, " + vocab + ")");
            }
            rows[i] = id;
        }
        CpuParallel.forEach(n, Math.max(1, 16384 / Math.max(1, dim)), i -> {
            long src = tOff + rows[i] * dim, dst = yOff + (long) i * dim;
            if (tableBf16) CpuConvert.bf16ToF32Range(table, src, y, dst, dim);
            else MemorySegment.copy(table, src * 4, y, dst * 4, (long) dim * 4);
        });
    }
}
