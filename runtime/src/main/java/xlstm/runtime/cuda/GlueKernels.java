package xlstm.runtime.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import xlstm.backends.Flags;
import xlstm.backends.cuda.CuFunction;
import xlstm.backends.cuda.CuModule;
import xlstm.backends.cuda.CudaContext;
import xlstm.backends.cuda.KernelArgs;

/**
 * Typed launches of the plumbing kernels in {@code xlstm/runtime/cuda/large_glue.cu} (its build-time sm_90 cubin, else
 * compiled once by NVRTC for the device): each call queues one launch on the context's stream. Arguments are device
 * addresses ({@code long}) and sizes; nothing is checked on the device, so callers pass consistent shapes.
 */
final class GlueKernels {
    static final String RESOURCE = "xlstm/runtime/cuda/large_glue.cu";
    /** The kernels this class launches, by entry name. */
    static final java.util.List<String> ENTRIES = java.util.List.of("xl_embed", "xl_rmsnorm", "xl_rmsnorm_rows",
            "xl_split_qkvo", "xl_headnorm", "xl_headnorm_rows", "xl_headnorm_warps", "xl_headnorm_gate_warps", "xl_add_bias", "xl_to_bf16", "xl_last_rows", "xl_fill_uniform", "xl_fill");
    private static final int BLOCK = 256;

    private final CudaContext ctx;
    private final int maxGrid;
    private final CuFunction embed, rmsnorm, rmsnormRows, split, headnorm, headnormRows, headnormWarps, headnormGateWarps, addBias, toBf16, lastRows, fillUniform, fill;

    GlueKernels(CudaContext ctx) {
        this.ctx = ctx;
        this.maxGrid = Math.max(1, ctx.device().multiprocessors()) * 16;
        CuModule m = PrebuiltModules.module(ctx, "large_glue.cu", source(RESOURCE));
        embed = ctx.function(m, "xl_embed");
        rmsnorm = ctx.function(m, "xl_rmsnorm");
        rmsnormRows = ctx.function(m, "xl_rmsnorm_rows");
        split = ctx.function(m, "xl_split_qkvo");
        headnorm = ctx.function(m, "xl_headnorm");
        headnormRows = ctx.function(m, "xl_headnorm_rows");
        headnormWarps = ctx.function(m, "xl_headnorm_warps");
        headnormGateWarps = ctx.function(m, "xl_headnorm_gate_warps");
        addBias = ctx.function(m, "xl_add_bias");
        toBf16 = ctx.function(m, "xl_to_bf16");
        lastRows = ctx.function(m, "xl_last_rows");
        fillUniform = ctx.function(m, "xl_fill_uniform");
        fill = ctx.function(m, "xl_fill");
    }

    /** Launches as programmatic dependent launches ({@link #dependentLaunches}). */
    private boolean dependent;

    /**
     * Queues the plumbing kernels as programmatic dependent launches (each kernel of large_glue.cu waits for its
     * predecessor at its top, so only the launch latency overlaps) or as plain launches (default).
     */
    void dependentLaunches(boolean on) { dependent = on; }

    private void launch(CuFunction f, long grid, int block, KernelArgs args) {
        ctx.launch(f, grid, block, 0, args, dependent);
    }

    /** What every hand-written CUDA source of this package starts with ({@code XL_ENTRY}, the bf16 and long types). */
    static final String PRELUDE = "xlstm/runtime/cuda/prelude.cu";

    /** The CUDA source {@code resource} of this module after {@link #PRELUDE} (this class's kernels: {@link #RESOURCE}). */
    static String source(String resource) {
        return source(resource, "");
    }

    /**
     * {@link #source(String)} after {@code defines} (lines of {@code #define}) and, with
     * {@code -Dxlstm.cuda.triggerFirst=true}, {@code XL_TRIGGER_FIRST} (the kernels let the next launch begin before
     * they wait for the previous one: prelude.cu).
     */
    static String source(String resource, String defines) {
        String trigger = Flags.boolFlag("xlstm.cuda.triggerFirst", false) ? "#define XL_TRIGGER_FIRST 1\n" : "";
        return trigger + defines + text(PRELUDE) + "\n" + text(resource);
    }

    private static String text(String resource) {
        try (InputStream in = GlueKernels.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) throw new IllegalStateException(resource + " is missing from the class path");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Blocks for a grid-stride loop over n items. */
    private long grid(long n) {
        return Math.max(1, Math.min((n + BLOCK - 1) / BLOCK, maxGrid));
    }

    /**
     * Threads per block of the norms over n features: about 4 features a thread (a row is one block, and at batch 1
     * the only one: the more threads the shorter its serial loops), a multiple of 32, 32..1024.
     */
    static int reduceBlock(int n) {
        return Math.min(1024, Math.max(32, (n / 4 + 31) / 32 * 32));
    }

    /**
     * Threads per block of the norms' {@code _rows} forms (a prompt's many rows): up to 16 features a thread
     * (large_glue.cu's XL_NORM_REG, kept in registers and read once), a multiple of 32, 64..1024.
     */
    static int rowsBlock(int n) {
        return Math.min(1024, Math.max(64, ((n + 15) / 16 + 31) / 32 * 32));
    }

    /**
     * Rows from which the norms run their {@code _rows} forms: two blocks per H200 multiprocessor. On the H200 (7B,
     * 2026-11-29) those took an RMS norm over 8192 rows from 135 to 83 us, while a decode step (one row) was 0.36 ms
     * slower with them (16 features a thread) than with the plain forms (same device call).
     */
    static final int MANY_ROWS = 264;

    void embed(long ids, long table, boolean tableBf16, int e, int rows, long x) {
        launch(embed, grid((long) rows * e), BLOCK,
                new KernelArgs().ptr(ids).ptr(table).i32(tableBf16 ? 1 : 0).i32(e).i32(rows).ptr(x));
    }

    /** rows of E floats at x -> y (float32, or bf16 with yBf16); b may be 0. */
    void rmsNorm(long x, long w, long b, int rows, int e, float eps, long y, boolean yBf16) {
        boolean many = rows >= MANY_ROWS;
        launch(many ? rmsnormRows : rmsnorm, rows, many ? rowsBlock(e) : reduceBlock(e),
                new KernelArgs().ptr(x).ptr(w).ptr(b).i32(e).f32(eps).ptr(y).i32(yBf16 ? 1 : 0));
    }

    void splitQkvo(long proj, long bias, int tokens, int s, int nh, int dhqk, int dhv, long q, long k, long v, long o,
            long gates) {
        launch(split, (long) tokens * (4 * nh + 1), BLOCK, new KernelArgs().ptr(proj).ptr(bias).i32(tokens).i32(s).i32(nh)
                .i32(dhqk).i32(dhv).ptr(q).ptr(k).ptr(v).ptr(o).ptr(gates));
    }

    /** The longest head xl_headnorm_warps takes: 32 lanes x XL_NORM_V (4) vectors of 4 floats. */
    static final int WARP_NORM_MAX = 32 * 4 * 4;

    void headNorm(long h, long w, long b, int tokens, int s, int nh, int dhv, float eps, long hn) {
        headNorm(h, w, b, tokens, s, nh, dhv, eps, hn, false);
    }

    /**
     * The per-head layer norm of h into hn, float32 or ({@code hnBf16}) bf16; bf16 only where
     * {@link #headNormWritesBf16} (its warp form).
     */
    void headNorm(long h, long w, long b, int tokens, int s, int nh, int dhv, float eps, long hn, boolean hnBf16) {
        long rows = (long) tokens * nh;
        if (warpHeadNorm(rows, dhv, h | w | b | hn)) {
            launch(headnormWarps, (rows + 7) / 8, BLOCK, new KernelArgs().ptr(h).ptr(w).ptr(b).i32(s).i32(nh).i32(dhv)
                    .f32(eps).ptr(hn).i64(rows).i32(hnBf16 ? 1 : 0));
            return;
        }
        if (hnBf16) throw new IllegalArgumentException("a bf16 head norm needs the warp form (see headNormWritesBf16)");
        boolean many = rows >= MANY_ROWS;
        launch(many ? headnormRows : headnorm, rows, many ? rowsBlock(dhv) : reduceBlock(dhv),
                new KernelArgs().ptr(h).ptr(w).ptr(b).i32(s).i32(nh).i32(dhv).f32(eps).ptr(hn));
    }

    /**
     * The head norm and the output gate in one launch, {@code y = sigmoid(o) * headnorm(h)}, with the roundings of
     * {@link #headNorm} then the generated {@code sigmoid_gate_apply} twin it replaces: o and the normed h in bf16
     * ({@code oBf16}, the {@code _bf16io} twin) or float32, y bf16 ({@code yBf16}) or float32. Only where
     * {@link #headNormGateFits}.
     */
    void headNormGate(long h, long w, long b, int tokens, int s, int nh, int dhv, float eps, long o, boolean oBf16,
            long y, boolean yBf16) {
        long rows = (long) tokens * nh;
        if (!headNormGateFits(tokens, nh, dhv, h | w | b | o | y)) {
            throw new IllegalArgumentException("head norm with the output gate: " + rows + " rows of " + dhv);
        }
        launch(headnormGateWarps, (rows + 7) / 8, BLOCK, new KernelArgs().ptr(h).ptr(w).ptr(b).i32(s).i32(nh)
                .i32(dhv).f32(eps).ptr(y).i64(rows).i32(yBf16 ? 1 : 0).ptr(o).i32(oBf16 ? 1 : 0));
    }

    /**
     * Whether {@link #headNormGate} takes these tensors (or-ed addresses): the head norm's warp form, at any number
     * of rows (for the head norm alone, fewer than {@link #MANY_ROWS} rows run a block a row; with the gate, one
     * launch instead of two matters more at a batched step's few rows).
     */
    static boolean headNormGateFits(int tokens, int nh, int dhv, long addresses) {
        return tokens >= 1 && dhv % 4 == 0 && dhv <= WARP_NORM_MAX && (addresses & 15) == 0;
    }

    /** Whether {@link #headNorm} of these tensors can write bf16. */
    boolean headNormWritesBf16(int tokens, int nh, int dhv, long h, long w, long b, long hn) {
        return warpHeadNorm((long) tokens * nh, dhv, h | w | b | hn);
    }

    /** xl_headnorm_warps' contract: many rows, whole 4-vectors up to WARP_NORM_MAX, 16-byte aligned (or-ed addresses). */
    private static boolean warpHeadNorm(long rows, int dhv, long addresses) {
        return rows >= MANY_ROWS && dhv % 4 == 0 && dhv <= WARP_NORM_MAX && (addresses & 15) == 0;
    }

    void addBias(long y, long bias, int tokens, int n, boolean featureMajor) {
        launch(addBias, grid((long) tokens * n), BLOCK,
                new KernelArgs().ptr(y).ptr(bias).i32(tokens).i32(n).i32(featureMajor ? 1 : 0));
    }

    void toBf16(long x, long y, long n) {
        launch(toBf16, grid(n), BLOCK, new KernelArgs().ptr(x).ptr(y).i64(n));
    }

    void lastRows(long x, int b, int s, int e, long y) {
        launch(lastRows, grid((long) b * e), BLOCK, new KernelArgs().ptr(x).i32(b).i32(s).i32(e).ptr(y));
    }

    void fillUniform(long w, boolean bf16, long n, long seed, float scale) {
        launch(fillUniform, grid(n), BLOCK,
                new KernelArgs().ptr(w).i32(bf16 ? 1 : 0).i64(n).i64(seed).f32(scale));
    }

    void fill(long w, long n, float value) {
        launch(fill, grid(n), BLOCK, new KernelArgs().ptr(w).i64(n).f32(value));
    }
}
