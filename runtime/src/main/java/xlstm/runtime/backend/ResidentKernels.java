package xlstm.runtime.backend;

import xlstm.backends.cuda.CuBuffer;
import xlstm.backends.cuda.CuFunction;
import xlstm.backends.cuda.CudaContext;

/**
 * The generated CUDA kernels on tensors that already live on the device: a call queues one launch on the
 * context's stream with {@link DevicePointer} arguments, nothing is copied and nothing waited for, so a sequence of
 * calls can be captured into a CUDA graph. Modules, launch geometry and scratch sizes are those of
 * {@link CudaKernels} (the same {@code index.tsv}, build-time PTX or NVRTC). The scratch buffer is shared by all
 * calls (they run in stream order) and grows on demand; {@link #reserve} sizes it before a capture, which may not
 * allocate.
 */
public final class ResidentKernels implements AutoCloseable {
    private final CudaKernels kernels;
    private final CudaContext ctx;
    private CuBuffer scratch;
    private long scratchVersion;
    private boolean dependent;

    private ResidentKernels(CudaKernels kernels) {
        this.kernels = kernels;
        this.ctx = kernels.context();
    }

    /** On the shared CUDA backend; {@link IllegalStateException} with the reason when it is unavailable. */
    public static ResidentKernels get() {
        return new ResidentKernels(CudaKernels.get());
    }

    public CudaContext context() { return ctx; }

    /**
     * Queues the kernels as programmatic dependent launches (every generated CUDA kernel waits for its predecessor at
     * its top: {@code XL_ENTRY} of cuda.stg) or as plain launches (default).
     */
    public void dependentLaunches(boolean on) { dependent = on; }

    /**
     * Queues generated kernel {@code entry} with {@code args} in its Java entry point's order ({@code Integer},
     * {@code Float}, {@code Boolean}, {@link DevicePointer}); the scratch buffer is appended.
     */
    public void launch(String entry, Object... args) {
        launchWith(entry, 0, args);
    }

    /**
     * As {@link #launch} with work-groups of {@code block} threads for kernels whose index leaves the size free
     * (0: the backend's default; capped by what the compiled kernel allows).
     */
    public void launchWith(String entry, int block, Object... args) {
        KernelIndex index = CudaKernels.index();
        KernelIndex.Entry e = index.get(entry);
        if (e == null) throw new IllegalStateException("CUDA kernel " + entry + " is not in " + CudaKernels.FOLDER + "/index.tsv");
        for (Object a : args) {
            if (a instanceof java.lang.foreign.MemorySegment) {
                throw new IllegalArgumentException(entry + ": a host segment; resident calls take DevicePointers");
            }
        }
        LaunchPlan plan = LaunchPlan.of(e, args);
        CuFunction f = kernels.residentFunction(e);
        int preferred = block > 0 ? Math.min(block, f.maxThreadsPerBlock()) : kernels.block();
        LaunchPlan.Geometry g = plan.geometry(preferred, CudaKernels.GROUP_BLOCK, f.maxThreadsPerBlock());
        if (g.grid() == 0) return;
        reserve(plan.scratchBytes());
        ctx.launch(f, g.grid(), g.block(), plan.sharedBytes(),
                StreamKernels.kernelArgs(plan, args, new long[args.length], scratch.pointer()), dependent);
    }

    /** Makes the scratch buffer at least {@code bytes} long (waiting for queued work before freeing the old one). */
    public void reserve(long bytes) {
        if (scratch != null && scratch.byteSize() >= bytes) return;
        if (scratch != null) {
            ctx.synchronize("growing the kernels' scratch buffer");
            scratch.close();
        }
        scratch = ctx.buffer(Math.max(bytes, 1L << 20));
        scratchVersion++;
    }

    /** Changes whenever the scratch buffer moves: a graph captured before then holds a stale address. */
    public long scratchVersion() { return scratchVersion; }

    @Override
    public void close() {
        if (scratch != null) {
            ctx.synchronize("freeing the kernels' scratch buffer");
            scratch.close();
            scratch = null;
        }
    }
}
