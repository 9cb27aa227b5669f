package xlstm.runtime.backend;

import java.lang.foreign.MemorySegment;
import xlstm.backends.cuda.CuBuffer;
import xlstm.backends.cuda.CuFunction;
import xlstm.backends.cuda.Cuda;
import xlstm.backends.cuda.CudaContext;
import xlstm.backends.cuda.KernelArgs;

/**
 * The {@code cuda} backend: each call uploads its tensors to the GPU, runs the generated CUDA kernel of that entry
 * point (classpath {@code xlstm/generated/cuda/<entry>.cu}, compiled once per context by NVRTC for the device's
 * architecture, no fast math, module cache keyed by source hash), and copies the states and outputs back. Launch
 * geometry and scratch size come from the folder's {@code index.tsv} (docs/glue-contract.md, "C-family kernels").
 *
 * <p>Copies and the launch are queued on the context's stream and waited for once per call. Block size:
 * {@code -Dxlstm.cuda.block=N} (default 256) for the {@code items} and {@code groups} launches, capped by what the
 * kernel allows; the single block of a {@code group} launch (sLSTM's batch-global step) takes up to 1024 threads.
 * Device buffers are pooled by size and reused. Calls are serialised.
 */
public final class CudaKernels extends StreamKernels<CuBuffer, CuFunction> {
    /** Where the emitter puts the CUDA sources (docs/glue-contract.md). */
    public static final String FOLDER = "xlstm/generated/cuda";
    /** The property setting the block size. */
    public static final String BLOCK_PROPERTY = "xlstm.cuda.block";
    static final int DEFAULT_BLOCK = 256, GROUP_BLOCK = 1024;

    private static volatile KernelIndex index;
    private static CudaKernels shared;

    private final CudaContext ctx;

    private CudaKernels(CudaContext ctx, KernelIndex kernels) {
        super("CUDA", FOLDER, kernels, BLOCK_PROPERTY, DEFAULT_BLOCK, GROUP_BLOCK);
        this.ctx = ctx;
    }

    /** The backend on {@link Cuda#context()}; throws {@link IllegalStateException} with the reason when unavailable. */
    public static synchronized CudaKernels get() {
        if (shared == null) {
            String why = unavailableReason();
            if (why != null) throw new IllegalStateException(why);
            shared = new CudaKernels(Cuda.context(), index());
        }
        return shared;
    }

    /** The CUDA kernel index of this build, or null when the build has no CUDA kernels. */
    static KernelIndex index() {
        KernelIndex i = index;
        if (i == null) {
            i = KernelIndex.load(FOLDER);
            index = i;
        }
        return i;
    }

    /** Why the backend cannot run here (no driver, device or NVRTC, or no generated CUDA kernels), or null. */
    static String unavailableReason() {
        Cuda.Probe p = Cuda.probe();
        if (!p.available()) return p.problem();
        KernelIndex i = index();
        if (i == null || i.size() == 0) {
            return "this build has no CUDA kernels (" + FOLDER + "/index.tsv is not on the class path)";
        }
        return null;
    }

    @Override public String name() { return "cuda"; }

    @Override
    public String device() {
        Cuda.Probe p = Cuda.probe();
        return ctx.device().summary() + "; CUDA driver " + p.driver() + ", NVRTC " + p.nvrtc() + ", block " + block();
    }

    @Override public String toString() { return "cuda"; }

    /** The context the kernels run on. */
    public CudaContext context() { return ctx; }

    // ------------------------------------------------------------------ the driver calls

    @Override
    CuFunction function(String file, String source, String entry) {
        return ctx.function(ctx.module(file, source), entry);
    }

    @Override int maxThreadsPerBlock(CuFunction f) { return f.maxThreadsPerBlock(); }

    @Override CuBuffer buffer(long bytes) { return ctx.buffer(bytes); }

    @Override long pointer(CuBuffer b) { return b.pointer(); }

    @Override long byteSize(CuBuffer b) { return b.byteSize(); }

    @Override void writeAsync(CuBuffer dst, MemorySegment src) { ctx.writeAsync(dst, src); }

    @Override void readAsync(CuBuffer src, MemorySegment dst) { ctx.readAsync(src, dst); }

    @Override void launch(CuFunction f, long grid, int block, KernelArgs args) { ctx.launch(f, grid, block, args); }

    @Override void synchronize(String after) { ctx.synchronize(after); }
}
