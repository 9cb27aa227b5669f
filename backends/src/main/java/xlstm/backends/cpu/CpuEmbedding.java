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
        for (int i = 0; i < n; i++) {
            long id = id(ids, idOff, ids64, i);
            if (id < 0 || id >= vocab) {
                throw new IndexOutOfBoundsException("token id " + id + " at position " + i
                        + " is outside the vocabulary [0, " + vocab + ")");
            }
        }
        // the ids are read again by the rows' bodies rather than copied into an array (no allocation per token)
        RowsTask t = ParallelTask.take(ROWS, RowsTask::new);
        t.table = table; t.tOff = tOff; t.tableBf16 = tableBf16; t.dim = dim; t.ids = ids; t.idOff = idOff;
        t.ids64 = ids64; t.y = y; t.yOff = yOff;
        t.forEach(n, Math.max(1, 16384 / Math.max(1, dim)));
    }

    private static long id(MemorySegment ids, long idOff, boolean ids64, int i) {
        return ids64 ? ids.getAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, idOff + i)
                : ids.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED, idOff + i);
    }

    private static final ThreadLocal<RowsTask> ROWS = new ThreadLocal<>();

    /** The copy of row i with the call's arguments (reused: the per-token path allocates nothing). */
    private static final class RowsTask extends ParallelTask {
        MemorySegment table, ids, y;
        long tOff, idOff, yOff;
        int dim;
        boolean tableBf16, ids64;

        @Override
        public void accept(int i) {
            long src = tOff + id(ids, idOff, ids64, i) * dim, dst = yOff + (long) i * dim;
            if (tableBf16) CpuConvert.bf16ToF32Range(table, src, y, dst, dim);
            else MemorySegment.copy(table, src * 4, y, dst * 4, (long) dim * 4);
        }

        @Override
        protected void release() { table = ids = y = null; }
    }
}
