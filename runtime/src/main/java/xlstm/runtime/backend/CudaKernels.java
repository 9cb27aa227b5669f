package xlstm.runtime.backend;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
public final class CudaKernels extends IndexedKernels {
    /** Where the emitter puts the CUDA sources (docs/glue-contract.md). */
    public static final String FOLDER = "xlstm/generated/cuda";
    /** The property setting the block size. */
    public static final String BLOCK_PROPERTY = "xlstm.cuda.block";
    static final int DEFAULT_BLOCK = 256, GROUP_BLOCK = 1024;

    private static volatile KernelIndex index;
    private static CudaKernels shared;

    private final CudaContext ctx;
    private final KernelIndex kernels;
    private final int block;
    private final Map<Long, ArrayDeque<CuBuffer>> pool = new HashMap<>();

    private CudaKernels(CudaContext ctx, KernelIndex kernels) {
        this.ctx = ctx;
        this.kernels = kernels;
        this.block = Integer.getInteger(BLOCK_PROPERTY, DEFAULT_BLOCK);
        if (block < 1 || block > 1024) throw new IllegalArgumentException("-D" + BLOCK_PROPERTY + " must be 1..1024, got " + block);
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
        return ctx.device().summary() + "; CUDA driver " + p.driver() + ", NVRTC " + p.nvrtc() + ", block " + block;
    }

    @Override public String toString() { return "cuda"; }

    /** The context the kernels run on. */
    public CudaContext context() { return ctx; }

    // ------------------------------------------------------------------ the generic launcher

    @Override
    synchronized void call(String entry, Object... args) {
        KernelIndex.Entry e = kernels.get(entry);
        if (e == null) throw new IllegalStateException("CUDA kernel " + entry + " is not in " + FOLDER + "/index.tsv");
        LaunchPlan plan = LaunchPlan.of(e, args);
        CuFunction f = ctx.function(ctx.module(e.file(), kernels.source(e)), entry);
        LaunchPlan.Geometry g = plan.geometry(block, GROUP_BLOCK, f.maxThreadsPerBlock());
        List<CuBuffer> taken = new ArrayList<>();
        List<Runnable> afterSync = new ArrayList<>();
        boolean queued = false;
        try (Arena staging = Arena.ofConfined()) {
            try {
                KernelArgs ka = new KernelArgs();
                CuBuffer[] bufs = new CuBuffer[args.length];
                for (int a = 0; a < args.length; a++) {
                    switch (args[a]) {
                        case Integer x -> ka.i32(x);
                        case Float x -> ka.f32(x);
                        case Boolean x -> ka.i32(x ? 1 : 0);
                        case MemorySegment seg -> {
                            CuBuffer b = take(seg.byteSize(), taken);
                            queued = true;
                            ctx.writeAsync(b, seg.isNative() ? seg : staging.allocate(seg.byteSize(), 16).copyFrom(seg));
                            ka.ptr(b.pointer());
                            bufs[a] = b;
                        }
                        default -> throw new IllegalArgumentException(entry + ": argument " + a + " is a " + args[a]);
                    }
                }
                if (plan.scratchParam()) ka.ptr(take(plan.scratchBytes(), taken).pointer());
                if (g.grid() > 0) ctx.launch(f, g.grid(), g.block(), ka);
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
            for (CuBuffer b : taken) pool.computeIfAbsent(b.byteSize(), x -> new ArrayDeque<>()).push(b);
        }
    }

    private CuBuffer take(long bytes, List<CuBuffer> taken) {
        long size = Math.max(4, bytes);
        ArrayDeque<CuBuffer> free = pool.get(size);
        CuBuffer b = free == null || free.isEmpty() ? ctx.buffer(size) : free.pop();
        taken.add(b);
        return b;
    }
}
