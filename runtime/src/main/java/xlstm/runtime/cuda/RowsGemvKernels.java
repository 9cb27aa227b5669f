package xlstm.runtime.cuda;

import java.util.List;
import xlstm.backends.Flags;
import xlstm.backends.cuda.CuFunction;
import xlstm.backends.cuda.CuModule;
import xlstm.backends.cuda.CudaContext;
import xlstm.backends.cuda.KernelArgs;
import xlstm.runtime.UserError;

/**
 * Products of 2 to 16 rows with bf16 weights, for batched decode steps ({@code xlstm/runtime/cuda/gemv_rows_bf16.cu},
 * its build-time sm_90 cubin or compiled once by NVRTC: {@link PrebuiltModules}): {@code y (+)= x Wᵀ} on the tensor
 * cores, each weight read once for all rows, and gate|up with SwiGLU in one launch. The batch-1 products stay on
 * {@link GemvKernels}; {@link #useFor} says which row counts come here (cuBLAS is faster at 16 rows, and for prompts).
 */
final class RowsGemvKernels {
    static final String RESOURCE = "xlstm/runtime/cuda/gemv_rows_bf16.cu";
    static final List<String> ENTRIES = List.of("xl_gemv_rows_bf16");
    static final int MAX_ROWS = 16;
    private static final int BLOCK = 256, WARPS = BLOCK / 32;
    /**
     * Warps a product should have at least, by splitting K among the warps of a group of weight rows: enough 16-byte
     * copies in flight to cover the memory's latency ({@code -Dxlstm.cuda.rowsWarps=N}; 2048 read the 7B products
     * faster than 4096 and 1024, RowsGemvCheck on the H200, 2026-11-29).
     */
    private static final int TARGET_WARPS = targetWarps();

    static int targetWarps() {
        return Flags.intFlag("xlstm.cuda.rowsWarps", 2048, 1);
    }

    /**
     * Whether {@link DeviceLarge} multiplies {@code rows} rows here ({@code -Dxlstm.cuda.rowsGemv=auto|all|false}):
     * auto (the default) takes 2 to 15 rows (16: cuBLAS, which was faster there); all takes every count from 2 to 16.
     * A 7B decode step on the H200 (2026-11-29 12:5x UTC, one run, 2 rounds each), ms with this kernel against
     * cuBLAS: batch 2 4.598 / 6.648, 3 4.698 / 10.605, 4 4.879 / 6.903, 5 5.013 / 11.406, 6 5.229 / 7.177,
     * 7 5.353 / 11.434, 8 5.406 / 5.229, 9 6.085 / 11.815, 10 6.338 / 7.658, 11 6.518 / 12.009, 12 6.640 / 7.789,
     * 13 6.761 / 12.203, 14 6.913 / 8.006, 15 7.071 / 12.460, 16 7.190 / 6.052 (cuBLAS's choice for an odd count of
     * rows is about twice as slow as for an even one). With x loaded for both n tiles first (later, one run):
     * batch 9 5.624, 15 6.386; 8 5.373 against cuBLAS's 5.291, 16 6.532 against 6.114. Later (16:2x UTC, 3 rounds, after
     * the kernel's later changes and the fused head norm): 8 5.206 against cuBLAS's 5.323, 16 6.226 against 5.874; in
     * a second call, 5 rounds: 8 5.220 against 5.382. So 8 rows came here too.
     */
    static boolean useFor(int rows) {
        return switch (Flags.choice("xlstm.cuda.rowsGemv", "auto", "auto", "all", "false")) {
            case "auto" -> rows >= 2 && rows < MAX_ROWS;
            case "all" -> rows >= 2 && rows <= MAX_ROWS;
            default -> false; // "false"
        };
    }

    /**
     * Slabs of 64 features in flight per warp, 2 KB a tile each in shared memory
     * ({@code -Dxlstm.cuda.rowsStages=2|3|4|6|8|12}; XL_ROWS_STAGES; 4 was faster than 3 and 6).
     */
    static final int STAGES = stages();

    static int stages() {
        return Integer.parseInt(Flags.choice("xlstm.cuda.rowsStages", "4", "2", "3", "4", "6", "8", "12"));
    }

    /**
     * Tiles of 16 weight rows a warp ({@code -Dxlstm.cuda.rowsTiles=1|2}; XL_ROWS_WTILES): 2 reads x half as often
     * but was slower.
     */
    static final int TILES = tiles();

    static int tiles() {
        return Integer.parseInt(Flags.choice("xlstm.cuda.rowsTiles", "1", "1", "2"));
    }

    /** Shared memory of a work-group: its warps' rings. */
    static int ringBytes(int stages, int tiles) {
        return WARPS * stages * 2048 * tiles;
    }

    /** Refuses a ring larger than a work-group's shared memory (227 KB on sm_90). */
    static void checkRing(int stages, int tiles) {
        if (ringBytes(stages, tiles) > 227 * 1024) {
            throw new UserError("-Dxlstm.cuda.rowsStages=" + stages + " with -Dxlstm.cuda.rowsTiles=" + tiles
                    + ": " + ringBytes(stages, tiles) / 1024 + " KB of shared memory a work-group, more than 227 KB");
        }
    }

    /** The #defines gemv_rows_bf16.cu is compiled with. */
    static String defines() {
        return "#define XL_ROWS_STAGES " + STAGES + "\n#define XL_ROWS_WTILES " + TILES + "\n";
    }

    private final CudaContext ctx;
    private final CuFunction kernel;
    private boolean dependent;

    RowsGemvKernels(CudaContext ctx) {
        this.ctx = ctx;
        checkRing(STAGES, TILES);
        CuModule m = PrebuiltModules.module(ctx, "gemv_rows_bf16.cu", GlueKernels.source(RESOURCE, defines()));
        kernel = ctx.function(m, ENTRIES.get(0));
    }

    /** Queues the products as programmatic dependent launches (the kernel waits for its predecessor first) or not. */
    void dependentLaunches(boolean on) { dependent = on; }

    /**
     * Whether the kernel takes {@code rows} rows of {@code in} features into {@code out} outputs (SwiGLU: {@code out}
     * gate and as many up rows; any {@code out}), every address (or-ed) 16-byte aligned.
     */
    static boolean fits(int rows, int in, int out, boolean swiglu, long addresses) {
        return rows >= 2 && rows <= MAX_ROWS && in % 64 == 0 && out >= 1 && (addresses & 15) == 0;
    }

    /**
     * {@code y[b·ldy + o] (+)= Σ_i x[b·in + i]·w[o][i]} for b < rows, o < out: x bf16 (rows, in) row-major, w bf16
     * (out, in) row-major, y float32; {@code accumulate} adds (a residual).
     */
    void product(long x, long w, long y, int rows, int in, int out, long ldy, boolean accumulate) {
        launch(x, w, y, rows, in, out, ldy, false, accumulate, false, 0, Parts.NONE);
    }

    /**
     * Where a decode step's fused projection goes: its parts' float32 destinations in the cell's layouts (row b of q
     * at {@code q + 4·b·qk}, of k, v, o likewise, of the i and f gates at {@code i + 4·b·ng} and {@code f + 4·b·ng}),
     * and the gates' soft-cap ({@code cap * tanh(v / cap)}; 0 for none).
     */
    record Parts(long q, long k, long v, long o, long i, long f, int qk, int vo, float cap) {
        /** No parts: the kernel writes y. */
        static final Parts NONE = new Parts(0, 0, 0, 0, 0, 0, 0, 0, 0f);
    }

    /**
     * A decode step's fused projection ({@code out} rows of w: q, k, v, o, then the i and f gates) of {@code rows}
     * rows of x plus {@code bias} (0 for none), written straight into {@code parts}: the product, the split into the
     * cell's layouts and the gates' soft-cap in one launch.
     */
    void projectParts(long x, long w, long bias, int rows, int in, int out, Parts parts) {
        checkParts(out, parts.qk(), parts.vo());
        launch(x, w, 0, rows, in, out, 0, false, false, false, bias, parts);
    }

    /** Refuses a projection whose rows past q, k ({@code qk} each), v and o ({@code vo} each) are not two equal gates. */
    static void checkParts(int out, int qk, int vo) {
        int ng2 = out - 2 * qk - 2 * vo;
        if (qk < 1 || vo < 1 || ng2 < 2 || ng2 % 2 != 0) {
            throw new IllegalArgumentException("projection of " + out + " rows: q, k " + qk + ", v, o " + vo + " leave "
                    + ng2 + " rows, not two gates of equal size");
        }
    }

    /**
     * {@code y[b·p + o] = silu(gate_o) · up_o}, gate the product with rows {@code 0..p-1} of w (2p, in) and up with
     * rows {@code p..2p-1}: gate|up and SwiGLU in one launch; y float32 or ({@code yBf16}) bf16, (rows, p).
     */
    void swiglu(long x, long w, long y, int rows, int in, int p, boolean yBf16) {
        launch(x, w, y, rows, in, p, p, yBf16, false, true, 0, Parts.NONE);
    }

    private void launch(long x, long w, long y, int rows, int in, int out, long ldy, boolean yBf16, boolean accumulate,
            boolean swiglu, long bias, Parts parts) {
        if (!fits(rows, in, out, swiglu, x | w)) {
            throw new IllegalArgumentException("rows gemv of " + rows + " rows, " + in + " -> " + out + " features");
        }
        int groups = groups(out, swiglu);
        int split = split(groups, in / 64);
        long blocks = ((long) groups * split + WARPS - 1) / WARPS;
        ctx.launch(kernel, blocks, BLOCK, ringBytes(STAGES, TILES), new KernelArgs().ptr(w).ptr(x).i32(rows).i32(in).i32(out).ptr(y).i64(ldy)
                .i32(yBf16 ? 1 : 0).i32(accumulate ? 1 : 0).i32(swiglu ? 1 : 0).i32(split).ptr(bias)
                .ptr(parts.q()).ptr(parts.k()).ptr(parts.v()).ptr(parts.o()).ptr(parts.i()).ptr(parts.f())
                .i32(parts.qk()).i32(parts.vo()).f32(parts.cap()), dependent);
    }

    /**
     * The groups of weight rows, a warp each before K is split: {@link #TILES} tiles of 16 rows (SwiGLU: of 8 gate
     * and 8 up rows).
     */
    static int groups(int out, boolean swiglu) {
        int perTile = swiglu ? 8 : 16, tiles = (out + perTile - 1) / perTile;
        return (tiles + TILES - 1) / TILES;
    }

    /** Warps per group of weight rows (1, 2, 4 or 8): the fewest giving {@link #TARGET_WARPS}, each a slab at least. */
    static int split(int groups, int slabs) {
        int split = 1;
        while (split < WARPS && (long) groups * split < TARGET_WARPS && slabs >= 2 * split) split *= 2;
        return split;
    }
}
