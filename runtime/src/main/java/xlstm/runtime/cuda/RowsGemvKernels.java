package xlstm.runtime.cuda;

import java.util.List;
import xlstm.backends.cuda.CuFunction;
import xlstm.backends.cuda.CuModule;
import xlstm.backends.cuda.CudaContext;
import xlstm.backends.cuda.KernelArgs;

/**
 * Products of 2 to 16 rows with bf16 weights, for batched decode steps ({@code xlstm/runtime/cuda/gemv_rows_bf16.cu},
 * compiled once by NVRTC): {@code y (+)= x Wᵀ} on the tensor cores, each weight read once for all rows, and gate|up
 * with SwiGLU in one launch. The batch-1 products stay on {@link GemvKernels}; {@link #useFor} says which row counts
 * come here (cuBLAS is faster at 8 and 16 rows, and for prompts).
 */
final class RowsGemvKernels {
    static final String RESOURCE = "xlstm/runtime/cuda/gemv_rows_bf16.cu";
    static final List<String> ENTRIES = List.of("xl_gemv_rows_bf16");
    static final int MAX_ROWS = 16;
    private static final int BLOCK = 256, WARPS = BLOCK / 32;
    /**
     * Warps a product should have at least, by splitting K among the warps of a group of weight rows: enough 16-byte
     * loads in flight to cover the memory's latency (the batch-1 GEMV has one warp per row: 4096 on the 7B down
     * product). {@code -Dxlstm.cuda.rowsWarps=N}.
     */
    private static final int TARGET_WARPS = Integer.getInteger("xlstm.cuda.rowsWarps", 4096);

    /**
     * Whether {@link DeviceLarge} multiplies {@code rows} rows here ({@code -Dxlstm.cuda.rowsGemv=auto|all|false}):
     * auto (the default) takes 2 to 16 rows but 8 and 16, where cuBLAS was faster; all takes every count from 2 to 16.
     * A 7B decode step on the H200 (2026-11-29, 2 rounds each), ms with this kernel against cuBLAS: batch 2 4.982 /
     * 6.620, 3 5.181 / 10.688, 4 5.362 / 6.898, 5 5.556 / 11.434, 6 5.742 / 7.175, 7 5.922 / 11.405, 8 6.014 / 5.279,
     * 9 6.459 / 11.776, 10 6.593 / 7.666, 11 6.741 / 11.974, 12 6.860 / 7.779, 14 7.223 / 8.005, 15 7.339 / 12.402,
     * 16 7.505 / 6.107 (cuBLAS's choice for an odd count of rows is about twice as slow as for an even one).
     */
    static boolean useFor(int rows) {
        String mode = System.getProperty("xlstm.cuda.rowsGemv", "auto");
        return switch (mode) {
            case "auto" -> rows >= 2 && rows <= MAX_ROWS && rows % 8 != 0;
            case "all" -> rows >= 2 && rows <= MAX_ROWS;
            case "false" -> false;
            default -> throw new IllegalArgumentException("-Dxlstm.cuda.rowsGemv=" + mode + ": one of auto, all, false");
        };
    }

    /**
     * Slabs of 64 features in flight per warp, 1 KB each in shared memory ({@code -Dxlstm.cuda.rowsStages=4|6|8|12};
     * XL_ROWS_STAGES).
     */
    static final int STAGES = stages();

    static int stages() {
        String v = System.getProperty("xlstm.cuda.rowsStages", "6");
        if (!List.of("4", "6", "8", "12").contains(v)) {
            throw new IllegalArgumentException("-Dxlstm.cuda.rowsStages=" + v + ": one of 4, 6, 8, 12");
        }
        return Integer.parseInt(v);
    }

    /** The #defines gemv_rows_bf16.cu is compiled with. */
    static String defines() {
        return "#define XL_ROWS_STAGES " + STAGES + "\n";
    }

    private final CudaContext ctx;
    private final CuFunction kernel;
    private boolean dependent;

    RowsGemvKernels(CudaContext ctx) {
        this.ctx = ctx;
        CuModule m = ctx.module("gemv_rows_bf16.cu", GlueKernels.source(RESOURCE, defines()));
        kernel = ctx.function(m, ENTRIES.get(0));
    }

    /** Queues the products as programmatic dependent launches (the kernel waits for its predecessor first) or not. */
    void dependentLaunches(boolean on) { dependent = on; }

    /**
     * Whether the kernel takes {@code rows} rows of {@code in} features into {@code out} outputs (SwiGLU: {@code out}
     * gate and as many up rows), every address (or-ed) 16-byte aligned.
     */
    static boolean fits(int rows, int in, int out, boolean swiglu, long addresses) {
        return rows >= 2 && rows <= MAX_ROWS && in % 64 == 0 && out % (swiglu ? 4 : 8) == 0 && (addresses & 15) == 0;
    }

    /**
     * {@code y[b·ldy + o] (+)= Σ_i x[b·in + i]·w[o][i]} for b < rows, o < out: x bf16 (rows, in) row-major, w bf16
     * (out, in) row-major, y float32; {@code accumulate} adds (a residual).
     */
    void product(long x, long w, long y, int rows, int in, int out, long ldy, boolean accumulate) {
        launch(x, w, y, rows, in, out, ldy, false, accumulate, false);
    }

    /**
     * {@code y[b·p + o] = silu(gate_o) · up_o}, gate the product with rows {@code 0..p-1} of w (2p, in) and up with
     * rows {@code p..2p-1}: gate|up and SwiGLU in one launch; y float32 or ({@code yBf16}) bf16, (rows, p).
     */
    void swiglu(long x, long w, long y, int rows, int in, int p, boolean yBf16) {
        launch(x, w, y, rows, in, p, p, yBf16, false, true);
    }

    private void launch(long x, long w, long y, int rows, int in, int out, long ldy, boolean yBf16, boolean accumulate,
            boolean swiglu) {
        if (!fits(rows, in, out, swiglu, x | w)) {
            throw new IllegalArgumentException("rows gemv of " + rows + " rows, " + in + " -> " + out + " features");
        }
        int groups = swiglu ? out / 4 : out / 8;
        int split = split(groups, in / 64);
        long blocks = ((long) groups * split + WARPS - 1) / WARPS;
        ctx.launch(kernel, blocks, BLOCK, WARPS * STAGES * 1024, new KernelArgs().ptr(w).ptr(x).i32(rows).i32(in).i32(out).ptr(y).i64(ldy)
                .i32(yBf16 ? 1 : 0).i32(accumulate ? 1 : 0).i32(swiglu ? 1 : 0).i32(split), dependent);
    }

    /** Warps per group of weight rows (1, 2, 4 or 8): the fewest giving {@link #TARGET_WARPS}, each a slab at least. */
    static int split(int groups, int slabs) {
        int split = 1;
        while (split < WARPS && (long) groups * split < TARGET_WARPS && slabs >= 2 * split) split *= 2;
        return split;
    }
}
