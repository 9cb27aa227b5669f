package xlstm.runtime.backend;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
public final class HipKernels extends IndexedKernels {
    /** Where the emitter puts the HIP sources (docs/glue-contract.md). */
    public static final String FOLDER = "xlstm/generated/hip";
    /** The property setting the block size. */
    public static final String BLOCK_PROPERTY = "xlstm.hip.block";
    static final int DEFAULT_BLOCK = 256, GROUP_BLOCK = 1024;

    private static volatile KernelIndex index;
    private static HipKernels shared;

    private final HipContext ctx;
    private final KernelIndex kernels;
    private final int block;
    private final Map<Long, ArrayDeque<HipBuffer>> pool = new HashMap<>();

    private HipKernels(HipContext ctx, KernelIndex kernels) {
        this.ctx = ctx;
        this.kernels = kernels;
        this.block = Integer.getInteger(BLOCK_PROPERTY, DEFAULT_BLOCK);
        if (block < 1 || block > 1024) throw new IllegalArgumentException("-D" + BLOCK_PROPERTY + " must be 1..1024, got " + block);
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
        return ctx.device().summary() + "; HIP runtime " + p.runtime() + ", hiprtc " + p.hiprtc() + ", block " + block;
    }

    @Override public String toString() { return "hip"; }

    /** The context the kernels run on. */
    public HipContext context() { return ctx; }

    // ------------------------------------------------------------------ marshalling (no device)

    /**
     * The {@code hipModuleLaunchKernel} arguments of one call: {@code args} in order ({@code Integer} and
     * {@code Boolean} as {@code int}, {@code Float} as {@code float}, a tensor as the device pointer
     * {@code pointers[a]}), then the scratch pointer when the kernel takes one.
     */
    static KernelArgs kernelArgs(LaunchPlan plan, Object[] args, long[] pointers, long scratch) {
        KernelArgs ka = new KernelArgs();
        for (int a = 0; a < args.length; a++) {
            switch (args[a]) {
                case Integer x -> ka.i32(x);
                case Float x -> ka.f32(x);
                case Boolean x -> ka.i32(x ? 1 : 0);
                case MemorySegment seg -> ka.ptr(pointers[a]);
                default -> throw new IllegalArgumentException(plan.entry().entry() + ": argument " + a + " is a " + args[a]);
            }
        }
        if (plan.scratchParam()) ka.ptr(scratch);
        return ka;
    }

    // ------------------------------------------------------------------ the generic launcher

    @Override
    synchronized void call(String entry, Object... args) {
        KernelIndex.Entry e = kernels.get(entry);
        if (e == null) throw new IllegalStateException("HIP kernel " + entry + " is not in " + FOLDER + "/index.tsv");
        LaunchPlan plan = LaunchPlan.of(e, args);
        HipFunction f = ctx.function(ctx.module(e.file(), kernels.source(e)), entry);
        LaunchPlan.Geometry g = plan.geometry(block, GROUP_BLOCK, f.maxThreadsPerBlock());
        List<HipBuffer> taken = new ArrayList<>();
        List<Runnable> afterSync = new ArrayList<>();
        boolean queued = false;
        try (Arena staging = Arena.ofConfined()) {
            try {
                long[] pointers = new long[args.length];
                HipBuffer[] bufs = new HipBuffer[args.length];
                for (int a = 0; a < args.length; a++) {
                    if (!(args[a] instanceof MemorySegment seg)) continue;
                    HipBuffer b = take(seg.byteSize(), taken);
                    queued = true;
                    ctx.writeAsync(b, seg.isNative() ? seg : staging.allocate(seg.byteSize(), 16).copyFrom(seg));
                    pointers[a] = b.pointer();
                    bufs[a] = b;
                }
                long scratch = plan.scratchParam() ? take(plan.scratchBytes(), taken).pointer() : 0;
                if (g.grid() > 0) ctx.launch(f, g.grid(), g.block(), kernelArgs(plan, args, pointers, scratch));
                for (int a = 0; a < args.length; a++) {
                    if (bufs[a] == null || !plan.written(a)) continue;
                    MemorySegment out = (MemorySegment) args[a];
                    if (out.isNative()) {
                        ctx.readAsync(bufs[a], out);
                    } else {
                        MemorySegment tmp = staging.allocate(out.byteSize(), 16);
                        ctx.readAsync(bufs[a], tmp);
                        afterSync.add(() -> out.copyFrom(tmp));
                    }
                }
                queued = false;
                ctx.synchronize(entry + " (grid " + g.grid() + " x block " + g.block() + ")");
                for (Runnable r : afterSync) r.run();
            } finally {
                // the stream may still read the staging memory: wait before it is freed (errors are already thrown)
                if (queued) {
                    try {
                        ctx.synchronize(entry);
                    } catch (RuntimeException ignored) {
                        // reported by the exception in flight
                    }
                }
            }
        } finally {
            for (HipBuffer b : taken) pool.computeIfAbsent(b.byteSize(), x -> new ArrayDeque<>()).push(b);
        }
    }

    private HipBuffer take(long bytes, List<HipBuffer> taken) {
        long size = Math.max(4, bytes);
        ArrayDeque<HipBuffer> free = pool.get(size);
        HipBuffer b = free == null || free.isEmpty() ? ctx.buffer(size) : free.pop();
        taken.add(b);
        return b;
    }
}
