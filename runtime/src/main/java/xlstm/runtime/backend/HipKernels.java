package xlstm.runtime.backend;

import java.lang.foreign.MemorySegment;
import xlstm.backends.cuda.KernelArgs;
import xlstm.backends.hip.Hip;
import xlstm.backends.hip.HipBuffer;
import xlstm.backends.hip.HipContext;
import xlstm.backends.hip.HipFunction;

/**
 * The {@code hip} backend: each call uploads its tensors to the AMD GPU, runs the generated HIP kernel of that entry
 * point (classpath {@code xlstm/generated/hip/<entry>.hip}, compiled once per context by hiprtc for the device's
 * architecture or {@code -Dxlstm.hip.arch=gfxNNN}, no fast math, module cache keyed by source hash), and copies the
 * states and outputs back. Launch geometry and scratch size come from the folder's {@code index.tsv}
 * (docs/glue-contract.md, "C-family kernels"), through the same {@link LaunchPlan} as {@link CudaKernels}.
 *
 * <p>UNTESTED on an AMD GPU (none in this project's machines): the argument marshalling and geometry are unit-tested
 * without a device, and every generated HIP kernel is compiled by hiprtc for {@code gfx90a} without a device. Block
 * size: {@code -Dxlstm.hip.block=N} (default 256) for {@code items} and {@code groups}, capped by what the kernel
 * allows; a {@code group} launch takes up to 1024 threads. Device buffers are pooled by size. Calls are serialised.
 */
public final class HipKernels extends StreamKernels<HipBuffer, HipFunction> {
    /** Where the emitter puts the HIP sources (docs/glue-contract.md). */
    public static final String FOLDER = "xlstm/generated/hip";
    /** The property setting the block size. */
    public static final String BLOCK_PROPERTY = "xlstm.hip.block";
    static final int DEFAULT_BLOCK = 256, GROUP_BLOCK = 1024;

    private static volatile KernelIndex index;
    private static HipKernels shared;

    private final HipContext ctx;

    private HipKernels(HipContext ctx, KernelIndex kernels) {
        super("HIP", FOLDER, kernels, BLOCK_PROPERTY, DEFAULT_BLOCK, GROUP_BLOCK);
        this.ctx = ctx;
    }

    /** The backend on {@link Hip#context()}; throws {@link IllegalStateException} with the reason when unavailable. */
    public static synchronized HipKernels get() {
        if (shared == null) {
            String why = unavailableReason();
            if (why != null) throw new IllegalStateException(why);
            shared = new HipKernels(Hip.context(), index());
        }
        return shared;
    }

    /** The HIP kernel index of this build, or null when the build has no HIP kernels. */
    static KernelIndex index() {
        KernelIndex i = index;
        if (i == null) {
            i = KernelIndex.load(FOLDER);
            index = i;
        }
        return i;
    }

    /** Why the backend cannot run here (no runtime, device or hiprtc, or no generated HIP kernels), or null. */
    static String unavailableReason() {
        Hip.Probe p = Hip.probe();
        if (!p.available()) return p.problem();
        KernelIndex i = index();
        if (i == null || i.size() == 0) {
            return "this build has no HIP kernels (" + FOLDER + "/index.tsv is not on the class path)";
        }
        return null;
    }

    @Override public String name() { return "hip"; }

    @Override
    public String device() {
        Hip.Probe p = Hip.probe();
        return ctx.device().summary() + "; HIP runtime " + p.runtime() + ", hiprtc " + p.hiprtc() + ", block " + block();
    }

    @Override public String toString() { return "hip"; }

    /** The context the kernels run on. */
    public HipContext context() { return ctx; }

    // ------------------------------------------------------------------ the driver calls

    @Override
    HipFunction function(String file, String source, String entry) {
        return ctx.function(ctx.module(file, source), entry);
    }

    @Override int maxThreadsPerBlock(HipFunction f) { return f.maxThreadsPerBlock(); }

    @Override HipBuffer buffer(long bytes) { return ctx.buffer(bytes); }

    @Override long pointer(HipBuffer b) { return b.pointer(); }

    @Override long byteSize(HipBuffer b) { return b.byteSize(); }

    @Override void writeAsync(HipBuffer dst, MemorySegment src) { ctx.writeAsync(dst, src); }

    @Override void readAsync(HipBuffer src, MemorySegment dst) { ctx.readAsync(src, dst); }

    @Override void launch(HipFunction f, long grid, int block, KernelArgs args) { ctx.launch(f, grid, block, args); }

    @Override void synchronize(String after) { ctx.synchronize(after); }
}
