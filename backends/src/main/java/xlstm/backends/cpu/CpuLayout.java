package xlstm.backends.cpu;

import java.lang.foreign.MemorySegment;

/**
 * Head layout changes: (B, S, NH, D) ↔ (B, NH, S, D) for elements of {@code elemBytes} bytes (4 for float32,
 * 2 for bf16). Copies contiguous D-runs, parallel over B·NH and blocks of S (a prefill has only B·NH = 4 heads for
 * many more threads). dst must not overlap src.
 */
public final class CpuLayout {
    private CpuLayout() {}

    /** (B, S, NH, D) → (B, NH, S, D). */
    public static void toHeads(MemorySegment src, long sOff, MemorySegment dst, long dOff, int batch, int seq,
                               int heads, int dim, int elemBytes) {
        long run = (long) dim * elemBytes;
        int block = seqBlock(dim, elemBytes), blocks = (seq + block - 1) / block;
        CpuParallel.forEach(batch * heads * blocks, Math.max(1, 4096 / Math.max(1, block * dim)), t -> {
            int bh = t / blocks, b = bh / heads, h = bh % heads, s0 = (t % blocks) * block;
            for (int s = s0, s1 = Math.min(seq, s0 + block); s < s1; s++) {
                long from = sOff + (((long) b * seq + s) * heads + h) * dim;
                long to = dOff + (((long) b * heads + h) * seq + s) * dim;
                MemorySegment.copy(src, from * elemBytes, dst, to * elemBytes, run);
            }
        });
    }

    /** (B, NH, S, D) → (B, S, NH, D). */
    public static void fromHeads(MemorySegment src, long sOff, MemorySegment dst, long dOff, int batch, int heads,
                                 int seq, int dim, int elemBytes) {
        long run = (long) dim * elemBytes;
        int block = seqBlock(dim, elemBytes), blocks = (seq + block - 1) / block;
        CpuParallel.forEach(batch * heads * blocks, Math.max(1, 4096 / Math.max(1, block * dim)), t -> {
            int bh = t / blocks, b = bh / heads, h = bh % heads, s0 = (t % blocks) * block;
            for (int s = s0, s1 = Math.min(seq, s0 + block); s < s1; s++) {
                long from = sOff + (((long) b * heads + h) * seq + s) * dim;
                long to = dOff + (((long) b * seq + s) * heads + h) * dim;
                MemorySegment.copy(src, from * elemBytes, dst, to * elemBytes, run);
            }
        });
    }

    /** Positions per task: about 16 KB of each head's rows. */
    private static int seqBlock(int dim, int elemBytes) {
        return Math.max(1, 16384 / Math.max(1, dim * elemBytes));
    }
}
