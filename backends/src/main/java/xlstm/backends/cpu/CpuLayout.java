package xlstm.backends.cpu;

import java.lang.foreign.MemorySegment;

/**
 * Head layout changes: (B, S, NH, D) ↔ (B, NH, S, D) for elements of {@code elemBytes} bytes (4 for float32,
 * 2 for bf16). Copies contiguous D-runs, parallel over B·NH. dst must not overlap src.
 */
public final class CpuLayout {
    private CpuLayout() {}

    /** (B, S, NH, D) → (B, NH, S, D). */
    public static void toHeads(MemorySegment src, long sOff, MemorySegment dst, long dOff, int batch, int seq,
                               int heads, int dim, int elemBytes) {
        long run = (long) dim * elemBytes;
        CpuParallel.forEach(batch * heads, Math.max(1, 4096 / Math.max(1, seq * dim)), bh -> {
            int b = bh / heads, h = bh % heads;
            for (int s = 0; s < seq; s++) {
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
        CpuParallel.forEach(batch * heads, Math.max(1, 4096 / Math.max(1, seq * dim)), bh -> {
            int b = bh / heads, h = bh % heads;
            for (int s = 0; s < seq; s++) {
                long from = sOff + (((long) b * heads + h) * seq + s) * dim;
                long to = dOff + (((long) b * seq + s) * heads + h) * dim;
                MemorySegment.copy(src, from * elemBytes, dst, to * elemBytes, run);
            }
        });
    }
}
