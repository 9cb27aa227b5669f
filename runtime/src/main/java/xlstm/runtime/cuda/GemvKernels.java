package xlstm.runtime.cuda;

import java.util.List;
import xlstm.backends.Flags;
import xlstm.backends.cuda.CuFunction;
import xlstm.backends.cuda.CuModule;
import xlstm.backends.cuda.CudaContext;
import xlstm.backends.cuda.KernelArgs;

/**
 * The batch-1 decode steps' matrix-vector products with bf16 weights ({@code xlstm/runtime/cuda/gemv_bf16.cu}, its
 * build-time sm_90 cubin or compiled once by NVRTC: {@link PrebuiltModules}): {@code y (+)= W x} for one row x.
 * Against cuBLAS on the 7B decode shapes in the same run on the H200 ({@link GemvCheck}): as fast on the large
 * products, faster on the 4096 x 4096 one, and it reads x in float32, so the bf16 conversion launch before two of the
 * products goes away. Several rows (batched decode, prefill) stay on cuBLAS: this kernel was 2.5x slower than cuBLAS
 * at 8 rows.
 */
final class GemvKernels {
    static final String RESOURCE = "xlstm/runtime/cuda/gemv_bf16.cu";
    static final List<String> ENTRIES = List.of("xl_gemv_bf16", "xl_gemv_rms_bf16", "xl_gemv_rms_swiglu_bf16",
            "xl_gemv_hngate_bf16");
    private static final int BLOCK = 256, WARPS = BLOCK / 32;
    /** 16-byte loads in flight per lane (XL_GEMV_LOADS of gemv_bf16.cu; {@code -Dxlstm.cuda.gemvLoads=4|8}). */
    private static final int LOADS = choice("xlstm.cuda.gemvLoads", "8", "4", "8");

    /**
     * 1: the fused out product sends the rest of its weights towards L2 before its dependent-launch wait, while the
     * cell runs (XL_GEMV_PREFETCH; {@code -Dxlstm.cuda.gemvPrefetch=0|1}).
     */
    private static final int PREFETCH = choice("xlstm.cuda.gemvPrefetch", "1", "0", "1");

    /**
     * The #defines gemv_bf16.cu is compiled with: XL_GEMV_AHEAD, XL_GEMV_LOADS, XL_GEMV_PREFETCH and per fused form
     * (Rms: the projection; Swiglu: gate|up; Hng: the out product) whether it reads its norm's weights (and the out
     * form the output gate's o) before its dependent-launch wait (XL_GEMV_&lt;FORM&gt;_PRE;
     * {@code -Dxlstm.cuda.gemv<Form>Pre=0|1}), its loads in flight per lane (XL_GEMV_&lt;FORM&gt;_LOADS;
     * {@code -Dxlstm.cuda.gemv<Form>Loads=4|8}) and the work-groups per SM its registers must allow
     * (XL_GEMV_&lt;FORM&gt;_BLOCKS; {@code -Dxlstm.cuda.gemv<Form>Blocks=0|2|3|4}, 0: no bound). Defaults: every form
     * reads before the wait, 8 loads, and the out form bounded to 2 work-groups an SM (it holds 2 x 16 more values
     * then). 7B decode at batch 1 on the H200, 3 rounds each (2026-11-29): all forms reading after the wait 4.001
     * ms; the out form before it 3.967 (the same bound and loads without it: 4.019); with the projection too 3.913.
     * In a later call: all three 3.818, gate|up after its wait 3.872, the defaults before (none before the wait, the
     * out form 4 loads and 4 work-groups) 3.961.
     */
    static String defines() {
        StringBuilder d = new StringBuilder("#define XL_GEMV_AHEAD " + ahead() + "\n#define XL_GEMV_LOADS " + LOADS
                + "\n#define XL_GEMV_PREFETCH " + PREFETCH + "\n");
        for (String form : new String[] {"Rms", "Swiglu", "Hng"}) {
            boolean out = form.equals("Hng");
            String macro = "XL_GEMV_" + form.toUpperCase(java.util.Locale.ROOT);
            d.append("#define ").append(macro).append("_PRE ").append(choice("xlstm.cuda.gemv" + form + "Pre",
                    "1", "0", "1")).append('\n');
            d.append("#define ").append(macro).append("_LOADS ").append(choice("xlstm.cuda.gemv" + form + "Loads",
                    String.valueOf(LOADS), "4", "8")).append('\n');
            d.append("#define ").append(macro).append("_BLOCKS ").append(choice("xlstm.cuda.gemv" + form + "Blocks",
                    out ? "2" : "0", "0", "2", "3", "4")).append('\n');
        }
        return d.toString();
    }

    private final CudaContext ctx;
    private final CuFunction gemv, rms, rmsSwiglu, headNormGate;
    private final int multiprocessors;
    private boolean dependent;

    GemvKernels(CudaContext ctx) {
        this.ctx = ctx;
        CuModule m = PrebuiltModules.module(ctx, "gemv_bf16.cu", GlueKernels.source(RESOURCE, defines()));
        gemv = ctx.function(m, ENTRIES.get(0));
        rms = ctx.function(m, ENTRIES.get(1));
        rmsSwiglu = ctx.function(m, ENTRIES.get(2));
        headNormGate = ctx.function(m, ENTRIES.get(3));
        multiprocessors = ctx.device().multiprocessors();
    }

    /**
     * What the kernel reads before its dependent-launch wait ({@code XL_GEMV_AHEAD} of gemv_bf16.cu):
     * {@code -Dxlstm.cuda.gemvAhead=0} nothing, 1 (default) each warp's first batch of loads.
     */
    static int ahead() {
        return choice("xlstm.cuda.gemvAhead", "1", "0", "1");
    }

    private static int choice(String property, String dflt, String... allowed) {
        return Integer.parseInt(Flags.choice(property, dflt, allowed));
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

    // ------------------------------------------------------------------ fused forms (gemv_bf16.cu, second part)

    /** Work-groups per SM of a fused form ({@code -Dxlstm.cuda.gemvFusedBlocks=N}; 0, the default: what fits). */
    private static final int FUSED_BLOCKS = Flags.intFlag("xlstm.cuda.gemvFusedBlocks", 0, 0);

    /**
     * Whether the fused forms take {@code in} features in groups of {@code group} (the head for the head norm,
     * {@code in} for the RMS norm): whole 128-feature slices, groups of whole slices or of 32, 64 or 128 features
     * (a warp's slice holds whole groups), at most 16 features a thread of the prologue, every address 16-byte
     * aligned (or-ed).
     */
    static boolean fusedFits(int in, int group, long addresses) {
        boolean slices = group % 128 == 0 || (group >= 32 && 128 % group == 0);
        return in % 128 == 0 && in <= 16 * BLOCK && slices && group <= in && in % group == 0
                && (addresses & 15) == 0;
    }

    /**
     * {@code y = W rmsnorm(x)} (x float32, norm weight and bias, the normed x rounded to bf16 as the RMS norm kernel
     * writes it), outputs {@code o >= capFrom} soft-capped after the bias: the RMS norm's launch goes.
     */
    void rmsGemv(long x, long normW, long normB, float eps, long w, long bias, long y, int in, int out, int capFrom,
            float cap) {
        fused(rms, w, in, out, x, normW, normB, 0, eps, in, bias, y, false, false, capFrom, cap);
    }

    /**
     * {@code y = silu(Wg x') * (Wu x')} with {@code x' = rmsnorm(x)}, Wg the first {@code p} rows of w (p x in) and
     * Wu the next {@code p}, biases (2p) added first: the norm, gate|up and SwiGLU in one launch; y float32 or
     * ({@code yBf16}) bf16.
     */
    void rmsSwiglu(long x, long normW, long normB, float eps, long w, long bias, long y, int in, int p, boolean yBf16) {
        fused(rmsSwiglu, w, in, p, x, normW, normB, 0, eps, in, bias, y, yBf16, false, p, 1f);
    }

    /** {@code y (+)= W (sigmoid(o) * headnorm(h))}, the layer norm over each {@code dh} features of h. */
    void headNormGate(long h, long o, long normW, long normB, float eps, int dh, long w, long y, int in, int out,
            boolean accumulate) {
        fused(headNormGate, w, in, out, h, normW, normB, o, eps, dh, 0, y, false, accumulate, out, 1f);
    }

    private void fused(CuFunction f, long w, int in, int out, long src, long normW, long normB, long o, float eps,
            int group, long bias, long y, boolean yBf16, boolean accumulate, int capFrom, float cap) {
        if (!fusedFits(in, group, w | src | normW | normB | o)) {
            throw new IllegalArgumentException("fused gemv of " + in + " features in groups of " + group);
        }
        long blocks = Math.min((out + WARPS - 1) / WARPS, (long) multiprocessors * blocksPerSm(f, 4 * in));
        ctx.launch(f, blocks, BLOCK, 4 * in, new KernelArgs().ptr(w).i32(in).i32(out).ptr(src).ptr(normW).ptr(normB)
                .ptr(o).f32(eps).i32(group).ptr(bias).ptr(y).i32(yBf16 ? 1 : 0).i32(accumulate ? 1 : 0).i32(capFrom)
                .f32(cap), dependent);
    }

    /** Resident work-groups of f per SM (registers, shared memory and threads of an sm_90 SM), at least 1. */
    private static int blocksPerSm(CuFunction f, int dynamicShared) {
        if (FUSED_BLOCKS > 0) return FUSED_BLOCKS;
        int regs = (f.registers() + 7) / 8 * 8;
        int byRegs = 65536 / Math.max(1, regs * BLOCK);
        int byShared = 227 * 1024 / (dynamicShared + 2048);
        return Math.max(1, Math.min(2048 / BLOCK, Math.min(byRegs, byShared)));
    }
}
