package xlstm.runtime.backend;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import xlstm.backends.Flags;
import xlstm.backends.opencl.ClBuffer;
import xlstm.backends.opencl.ClContext;
import xlstm.backends.opencl.ClKernel;
import xlstm.backends.opencl.OpenCl;

/**
 * Runs the generated OpenCL C kernels of one class-path folder (its {@code index.tsv} and {@code <entry>.cl} files,
 * docs/glue-contract.md, "C-family kernels") on {@link OpenCl#context()}, with the arguments of the Java entry point
 * of the same kernel. The project's own kernels are in {@link OpenClKernels#FOLDER}, which the {@code opencl}
 * backend runs through this class; a project that compiles cells of its own with xlstm-maven-plugin finds its
 * kernels in its {@code javaPackage}'s folder:
 *
 * <pre>{@code
 * OpenClLauncher cl = OpenClLauncher.forFolder("org/example/customcell/kernels/opencl");
 * cl.call("mlstm_cifg_sequence", B, NH, S, DQK, DV, q, k, v, i, f, C, n, m, h, eps);  // as MlstmCifgCell.sequence
 * }</pre>
 *
 * <p>Each call uploads its segments into pooled device buffers, adds the scratch buffer (size from the index),
 * builds the entry's program once per context ({@code -cl-std=CL1.2}, no fast math), launches per the index
 * ({@code items}/{@code group}/{@code groups}; work-group size {@code -Dxlstm.opencl.local=N}, default 64, capped by
 * the kernel's limit on the device), waits, and copies the states and outputs back into their segments. Calls on one
 * launcher are serialised.
 */
public final class OpenClLauncher {
    /** Build options of every program: OpenCL C 1.2, and no fast math (docs/glue-contract.md). */
    public static final String OPTIONS = "-cl-std=CL1.2";

    private record Key(String folder, ClassLoader loader) {}

    private static final Map<Key, OpenClLauncher> LAUNCHERS = new ConcurrentHashMap<>();

    private final ClContext ctx;
    private final KernelIndex kernels;
    private final int local;
    private final Map<Long, ArrayDeque<ClBuffer>> pool = new HashMap<>();

    private OpenClLauncher(ClContext ctx, KernelIndex kernels) {
        this.ctx = ctx;
        this.kernels = kernels;
        this.local = Flags.intFlag("xlstm.opencl.local", 64, 1);
    }

    /**
     * The launcher of the kernels in class-path folder {@code folder} (e.g. {@code xlstm/generated/opencl}), read
     * through the runtime's class loader; one per folder and JVM. Throws {@link IllegalStateException} with
     * {@link #unavailableReason(String)} when OpenCL or the folder's index is missing.
     */
    public static OpenClLauncher forFolder(String folder) {
        return forFolder(folder, KernelIndex.class.getClassLoader());
    }

    /** As {@link #forFolder(String)}, with the kernel sources read through {@code loader}. */
    public static OpenClLauncher forFolder(String folder, ClassLoader loader) {
        return LAUNCHERS.computeIfAbsent(new Key(folder, loader), key -> {
            String why = unavailableReason(folder, loader);
            if (why != null) throw new IllegalStateException(why);
            return new OpenClLauncher(OpenCl.context(), KernelIndex.load(folder, loader));
        });
    }

    /**
     * Why the kernels of {@code folder} cannot run here (no OpenCL platform or device: the driver's one-line reason;
     * or no {@code <folder>/index.tsv} on the class path), or null when they can.
     */
    public static String unavailableReason(String folder) {
        return unavailableReason(folder, KernelIndex.class.getClassLoader());
    }

    /** As {@link #unavailableReason(String)}, looking the index up through {@code loader}. */
    public static String unavailableReason(String folder, ClassLoader loader) {
        OpenCl.Probe p = OpenCl.probe();
        if (!p.available()) return p.problem();
        KernelIndex i = KernelIndex.load(folder, loader);
        if (i == null || i.size() == 0) {
            return "no OpenCL kernels in " + folder + " (" + folder + "/index.tsv is not on the class path or empty)";
        }
        return null;
    }

    /** The folder's index: every entry this launcher can run. */
    public KernelIndex index() { return kernels; }

    /** The OpenCL device in words. */
    public String device() { return ctx.device().summary(); }

    @Override
    public String toString() { return "OpenCL kernels of " + kernels.folder() + " on " + ctx.device().name(); }

    /**
     * Runs {@code entry} with {@code args}, the Java entry point's arguments in order: {@code Integer} for the
     * dims, {@code MemorySegment} for tensors (contiguous float32; states and outputs are written back),
     * {@code Float} and {@code Boolean} for params. The trailing scratch buffer is added here. An unknown entry, a
     * wrong number of arguments or an argument of the wrong kind is an {@link IllegalArgumentException} naming the
     * parameter.
     */
    public synchronized void call(String entry, Object... args) {
        KernelIndex.Entry e = kernels.get(entry);
        if (e == null) {
            throw new IllegalArgumentException("OpenCL kernel " + entry + " is not in " + kernels.folder()
                    + "/index.tsv (entries: " + String.join(", ", kernels.entries().stream()
                    .map(KernelIndex.Entry::entry).toList()) + ")");
        }
        List<KernelIndex.Param> params = e.params();
        boolean scratchParam = params.size() == args.length + 1;
        if (!scratchParam && params.size() != args.length) {
            throw new IllegalArgumentException("OpenCL kernel " + entry + " takes " + (params.size() - 1)
                    + " arguments and a scratch buffer (" + params + "), the call has " + args.length);
        }
        for (int a = 0; a < args.length; a++) {
            KernelIndex.Param p = params.get(a);
            Object v = args[a];
            boolean ok = p.pointer() ? v instanceof MemorySegment
                    : p.type().equals("float") ? v instanceof Float
                    : p.type().equals("int") && (v instanceof Integer || v instanceof Boolean);
            if (!ok) {
                throw new IllegalArgumentException(entry + ": argument " + a + " (" + p.type() + " " + p.name()
                        + ") cannot take " + (v == null ? "null" : "a " + v.getClass().getSimpleName()));
            }
        }
        // the checks above keep this launcher's IllegalArgumentException contract; the plan's own check then passes
        LaunchPlan plan = LaunchPlan.of(e, args);

        ClKernel k = ctx.program(kernels.folder() + "/" + e.file(), kernels.source(e), OPTIONS).kernel(entry);
        List<ClBuffer> taken = new ArrayList<>();
        try {
            ClBuffer[] bufs = new ClBuffer[args.length];
            for (int a = 0; a < args.length; a++) {
                switch (args[a]) {
                    case Integer x -> k.arg(a, x);
                    case Float x -> k.arg(a, x);
                    case Boolean x -> k.arg(a, x ? 1 : 0);
                    case MemorySegment seg -> {
                        ClBuffer b = take(seg.byteSize(), taken);
                        ctx.write(b, seg);
                        k.arg(a, b);
                        bufs[a] = b;
                    }
                    default -> throw new IllegalArgumentException(entry + ": argument " + a + " is a " + args[a]);
                }
            }
            if (plan.scratchParam()) k.arg(args.length, take(plan.scratchBytes(), taken));
            long max = Math.min(k.maxWorkGroupSize(ctx.device()), ctx.device().maxWorkGroupSize());
            LaunchPlan.Geometry g = plan.geometry(local, local, (int) Math.max(1, Math.min(Integer.MAX_VALUE, max)));
            if (g.grid() > 0) {
                ctx.launch(k, new long[] {g.global()}, new long[] {g.block()});
                ctx.finish();
            }
            for (int a = 0; a < args.length; a++) {
                if (bufs[a] != null && plan.written(a)) ctx.read(bufs[a], (MemorySegment) args[a]);
            }
        } finally {
            for (ClBuffer b : taken) pool.computeIfAbsent(b.byteSize(), x -> new ArrayDeque<>()).push(b);
        }
    }

    private ClBuffer take(long bytes, List<ClBuffer> taken) {
        long size = Math.max(4, bytes);
        ArrayDeque<ClBuffer> free = pool.get(size);
        ClBuffer b = free == null || free.isEmpty() ? ctx.buffer(size) : free.pop();
        taken.add(b);
        return b;
    }
}
