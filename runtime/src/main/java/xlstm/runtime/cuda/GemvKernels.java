package xlstm.runtime.cuda;

import java.util.List;
import xlstm.backends.cuda.CuFunction;
import xlstm.backends.cuda.CuModule;
import xlstm.backends.cuda.CudaContext;
import xlstm.backends.cuda.KernelArgs;

/**
 * The batch-1 decode steps' matrix-vector products with bf16 weights ({@code xlstm/runtime/cuda/gemv_bf16.cu},
 * compiled once by NVRTC): {@code y (+)= W x} for one row x. Against cuBLAS on the 7B decode shapes in the same run
 * on the H200 ({@link GemvCheck}): as fast on the large products, faster on the 4096 x 4096 one, and it reads x in
 * float32, so the bf16 conversion launch before two of the products goes away. Several rows (batched decode,
 * prefill) stay on cuBLAS: this kernel was 2.5x slower than cuBLAS at 8 rows.
 */
final class GemvKernels {
    static final String RESOURCE = "xlstm/runtime/cuda/gemv_bf16.cu";
    static final List<String> ENTRIES = List.of("xl_gemv_bf16");
    private static final int BLOCK = 256, WARPS = BLOCK / 32;
    /** 16-byte loads in flight per lane (XL_GEMV_LOADS of gemv_bf16.cu; {@code -Dxlstm.cuda.gemvLoads=4|8}). */
    private static final int LOADS = choice("xlstm.cuda.gemvLoads", "8", "4", "8");

    private final CudaContext ctx;
    private final CuFunction gemv;
    private boolean dependent;

    GemvKernels(CudaContext ctx) {
        this.ctx = ctx;
        CuModule m = ctx.module("gemv_bf16.cu", GlueKernels.source(RESOURCE, "#define XL_GEMV_AHEAD " + ahead()
                + "\n#define XL_GEMV_LOADS " + LOADS + "\n"));
        gemv = ctx.function(m, ENTRIES.get(0));
    }

    /**
     * What the kernel reads before its dependent-launch wait ({@code XL_GEMV_AHEAD} of gemv_bf16.cu):
     * {@code -Dxlstm.cuda.gemvAhead=0} nothing, 1 (default) each warp's first batch of loads.
     */
    static int ahead() {
        return choice("xlstm.cuda.gemvAhead", "1", "0", "1");
    }

    private static int choice(String property, String dflt, String... allowed) {
        String v = System.getProperty(property, dflt);
        if (!java.util.List.of(allowed).contains(v)) {
            throw new IllegalArgumentException("-D" + property + "=" + v + ": one of " + String.join(", ", allowed));
        }
        return Integer.parseInt(v);
    }

    /** Queues the products as programmatic dependent launches (the kernel waits for its predecessor first) or not. */
    void dependentLaunches(boolean on) { dependent = on; }

    /** Whether the kernel takes {@code rows} rows of x with {@code in} features (one row, 16-byte chunks of weights). */
    static boolean fits(int rows, int in) {
        return rows == 1 && in % 8 == 0;
    }

    /**
     * Queues {@code y[o·ys] (+)= Σ_i x[i]·w[o][i] + bias[o]} for {@code o < out}: w bf16 (out, in) row-major, x
     * {@code in} float32 or bf16 ({@code xBf16}) values, bias float32 or 0 for none, y float32 with stride
     * {@code ys}; {@code accumulate} adds (a residual).
     */
    void gemv(long x, boolean xBf16, long w, long bias, long y, int in, int out, long ys, boolean accumulate) {
        gemv(x, xBf16, w, bias, y, in, out, ys, accumulate, out, 1f);
    }

    /**
     * {@link #gemv} with outputs {@code o >= capFrom} soft-capped after the bias, {@code cap · tanh(y / cap)} (the
     * gate rows of the fused projection, so the soft-cap kernel's launch goes).
     */
    void gemv(long x, boolean xBf16, long w, long bias, long y, int in, int out, long ys, boolean accumulate,
              int capFrom, float cap) {
        if (!fits(1, in)) throw new IllegalArgumentException("gemv of " + in + " features (a multiple of 8)");
        ctx.launch(gemv, (out + WARPS - 1) / WARPS, BLOCK, 0, new KernelArgs().ptr(w).ptr(x).i32(xBf16 ? 1 : 0).ptr(bias).i32(in)
                .i32(out).ptr(y).i64(ys).i32(accumulate ? 1 : 0).i32(capFrom).f32(cap), dependent);
    }
}
