package xlstm.runtime.backend;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import xlstm.backends.Flags;
import xlstm.backends.cuda.KernelArgs;

/**
 * The launcher shared by the stream-based GPU backends ({@link CudaKernels}, {@link HipKernels}): per call the
 * {@link LaunchPlan} of the entry, tensors uploaded into pooled device buffers (asynchronously on the context's
 * stream; a heap segment through an off-heap staging copy), the scratch buffer, one launch, the states and outputs
 * read back, and one wait. A subclass supplies only the driver calls on its buffer type {@code B} and function type
 * {@code F}. Calls are serialised.
 */
abstract class StreamKernels<B, F> extends IndexedKernels {
    private final String api, folder;
    private final KernelIndex kernels;
    private final int block, groupBlock;
    private final Map<Long, ArrayDeque<B>> pool = new HashMap<>();

    /**
     * {@code api} names the kernels in errors ({@code CUDA}, {@code HIP}); the block size is
     * {@code -D<blockProperty>} (default {@code defaultBlock}, 1..1024).
     */
    StreamKernels(String api, String folder, KernelIndex kernels, String blockProperty, int defaultBlock,
            int groupBlock) {
        this.api = api;
        this.folder = folder;
        this.kernels = kernels;
        this.groupBlock = groupBlock;
        this.block = Flags.intFlag(blockProperty, defaultBlock, 1, 1024);
    }

    /** The block size for {@code items} and {@code groups} launches. */
    final int block() { return block; }

    // ------------------------------------------------------------------ the driver calls

    /** The compiled (cached) function {@code entry} of {@code file}, whose source is {@code source}. */
    abstract F function(String file, String source, String entry);

    abstract int maxThreadsPerBlock(F f);

    abstract B buffer(long bytes);

    abstract long pointer(B b);

    abstract long byteSize(B b);

    abstract void writeAsync(B dst, MemorySegment src);

    abstract void readAsync(B src, MemorySegment dst);

    abstract void launch(F f, long grid, int block, KernelArgs args);

    abstract void synchronize(String after);

    // ------------------------------------------------------------------ marshalling (no device)

    /**
     * The kernel-launch arguments of one call: {@code args} in order ({@code Integer} and {@code Boolean} as
     * {@code int}, {@code Float} as {@code float}, a tensor as the device pointer {@code pointers[a]}, a
     * {@link DevicePointer} as its address), then the scratch pointer when the kernel takes one.
     */
    static KernelArgs kernelArgs(LaunchPlan plan, Object[] args, long[] pointers, long scratch) {
        KernelArgs ka = new KernelArgs();
        for (int a = 0; a < args.length; a++) {
            switch (args[a]) {
                case Integer x -> ka.i32(x);
                case Float x -> ka.f32(x);
                case Boolean x -> ka.i32(x ? 1 : 0);
                case MemorySegment seg -> ka.ptr(pointers[a]);
                case DevicePointer p -> ka.ptr(p.address());
                default -> throw new IllegalArgumentException(plan.entry().entry() + ": argument " + a + " is a " + args[a]);
            }
        }
        if (plan.scratchParam()) ka.ptr(scratch);
        return ka;
    }

    // ------------------------------------------------------------------ the generic launcher

    @Override
    final synchronized void call(String entry, Object... args) {
        KernelIndex.Entry e = kernels.get(entry);
        if (e == null) throw new IllegalStateException(api + " kernel " + entry + " is not in " + folder + "/index.tsv");
        LaunchPlan plan = LaunchPlan.of(e, args);
        if (plan.sharedBytes() > 0) {
            throw new IllegalStateException(api + " kernel " + entry + " needs " + plan.sharedBytes()
                    + " bytes of dynamic shared memory: it runs on device-resident tensors only (ResidentKernels)");
        }
        F f = function(e.file(), kernels.source(e), entry);
        LaunchPlan.Geometry g = plan.geometry(block, groupBlock, maxThreadsPerBlock(f));
        List<B> taken = new ArrayList<>();
        List<Runnable> afterSync = new ArrayList<>();
        boolean queued = false;
        try (Arena staging = Arena.ofConfined()) {
            try {
                long[] pointers = new long[args.length];
                List<B> bufs = new ArrayList<>(args.length);
                for (int a = 0; a < args.length; a++) {
                    if (!(args[a] instanceof MemorySegment seg)) {
                        bufs.add(null);
                        continue;
                    }
                    B b = take(seg.byteSize(), taken);
                    queued = true;
                    writeAsync(b, seg.isNative() ? seg : staging.allocate(seg.byteSize(), 16).copyFrom(seg));
                    pointers[a] = pointer(b);
                    bufs.add(b);
                }
                long scratch = plan.scratchParam() ? pointer(take(plan.scratchBytes(), taken)) : 0;
                if (g.grid() > 0) launch(f, g.grid(), g.block(), kernelArgs(plan, args, pointers, scratch));
                for (int a = 0; a < args.length; a++) {
                    if (bufs.get(a) == null || !plan.written(a)) continue;
                    MemorySegment out = (MemorySegment) args[a];
                    if (out.isNative()) {
                        readAsync(bufs.get(a), out);
                    } else {
                        MemorySegment tmp = staging.allocate(out.byteSize(), 16);
                        readAsync(bufs.get(a), tmp);
                        afterSync.add(() -> out.copyFrom(tmp));
                    }
                }
                queued = false;
                synchronize(entry + " (grid " + g.grid() + " x block " + g.block() + ")");
                for (Runnable r : afterSync) r.run();
            } finally {
                // the stream may still read the staging memory: wait before it is freed (errors are already thrown)
                if (queued) {
                    try {
                        synchronize(entry);
                    } catch (RuntimeException ignored) {
                        // reported by the exception in flight
                    }
                }
            }
        } finally {
            for (B b : taken) pool.computeIfAbsent(byteSize(b), x -> new ArrayDeque<>()).push(b);
        }
    }

    private B take(long bytes, List<B> taken) {
        long size = Math.max(4, bytes);
        ArrayDeque<B> free = pool.get(size);
        B b = free == null || free.isEmpty() ? buffer(size) : free.pop();
        taken.add(b);
        return b;
    }
}
