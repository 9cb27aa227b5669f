package xlstm.runtime.backend;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import xlstm.backends.Flags;
import xlstm.backends.metal.Metal;
import xlstm.backends.metal.MetalDevice;

/**
 * The {@code metal} backend (macOS): each call copies its tensors into shared-storage {@code MTLBuffer}s, runs the
 * generated Metal kernel of that entry point (classpath {@code xlstm/generated/metal/<entry>.metal}, compiled once
 * with {@code newLibraryWithSource} and {@code fastMathEnabled = NO}, one compute pipeline state per entry, cached
 * by the SHA-256 of the source), and copies the states and outputs back. Arguments are bound per
 * docs/glue-contract.md: argument {@code i} at {@code [[buffer(i)]]}, tensors with {@code setBuffer}, {@code int},
 * {@code boolean} (0/1) and {@code float} with {@code setBytes}, then the scratch buffer; the dispatch is
 * {@code dispatchThreadgroups} with the {@link LaunchPlan} geometry of {@code index.tsv}.
 *
 * <p><b>The macOS path is UNTESTED</b>: this project has no macOS machine. What is tested (on Linux) is the
 * reading of the Metal index and the argument/buffer-index mapping, and the "Metal needs macOS" path. The native
 * calls are {@link MetalDevice}'s (FFM to the Objective-C runtime and Metal.framework). Threadgroup size:
 * {@code -Dxlstm.metal.block=N} (default 256), capped by the pipeline's {@code maxTotalThreadsPerThreadgroup}.
 * Calls are serialised.
 */
public final class MetalKernels extends IndexedKernels {
    /** Where the emitter puts the Metal sources (docs/glue-contract.md). */
    public static final String FOLDER = "xlstm/generated/metal";
    /** The property setting the threadgroup size. */
    public static final String BLOCK_PROPERTY = "xlstm.metal.block";
    static final int DEFAULT_BLOCK = 256, GROUP_BLOCK = 1024;

    private static final Pattern PARAM = Pattern.compile(
            "(constant|device)\\s+(const\\s+)?(int|float)\\s*([&*])\\s*(\\w+)\\s*\\[\\[\\s*buffer\\((\\d+)\\)\\s*]]");

    private static volatile KernelIndex index;
    private static MetalKernels shared;

    private final MetalDevice device;
    private final KernelIndex kernels;
    private final int block;
    private final Map<String, KernelIndex.Entry> bound = new HashMap<>();
    private final Map<String, MemorySegment> pipelines = new HashMap<>();
    private final Map<Long, ArrayDeque<MemorySegment>> pool = new HashMap<>();

    private MetalKernels(MetalDevice device, KernelIndex kernels) {
        this.device = device;
        this.kernels = kernels;
        this.block = Flags.intFlag(BLOCK_PROPERTY, DEFAULT_BLOCK, 1, 1024);
    }

    /** The backend on the system's default Metal device; {@link IllegalStateException} with the reason otherwise. */
    public static synchronized MetalKernels get() {
        if (shared == null) {
            String why = unavailableReason();
            if (why != null) throw new IllegalStateException(why);
            shared = new MetalKernels(MetalDevice.systemDefault(), index());
        }
        return shared;
    }

    /** The Metal kernel index of this build, or null when the build has no Metal kernels. */
    static KernelIndex index() {
        KernelIndex i = index;
        if (i == null) {
            i = KernelIndex.load(FOLDER);
            index = i;
        }
        return i;
    }

    /** Why the backend cannot run here ("Metal needs macOS", no device, no generated Metal kernels), or null. */
    static String unavailableReason() {
        var s = Metal.probe();
        if (!s.available()) return s.reason();
        KernelIndex i = index();
        if (i == null || i.size() == 0) {
            return "this build has no Metal kernels (" + FOLDER + "/index.tsv is not on the class path)";
        }
        return null;
    }

    @Override public String name() { return "metal"; }

    @Override
    public String device() { return device.name() + " (Metal, untested path), threadgroup " + block; }

    @Override public String toString() { return "metal"; }

    // ------------------------------------------------------------------ the index's Metal signatures (no device)

    /**
     * {@code e} with its Metal parameters ({@code constant int& B [[buffer(0)]]}, {@code device const float* q
     * [[buffer(6)]]}, ...) rewritten to the C types {@link LaunchPlan} checks ({@code int}, {@code const float*},
     * {@code float*}); an {@link IllegalStateException} when a parameter is not of the contract's forms or its
     * {@code [[buffer(i)]]} is not its position {@code i}.
     */
    static KernelIndex.Entry cSignature(KernelIndex.Entry e) {
        List<KernelIndex.Param> out = new ArrayList<>();
        List<KernelIndex.Param> ps = e.params();
        for (int i = 0; i < ps.size(); i++) {
            String text = (ps.get(i).type() + " " + ps.get(i).name()).strip();
            Matcher m = PARAM.matcher(text);
            if (!m.matches()) {
                throw new IllegalStateException("Metal kernel " + e.entry() + ": parameter " + i + " '" + text
                        + "' is not 'constant int&/float& NAME [[buffer(i)]]' or 'device [const] float* NAME [[buffer(i)]]'");
            }
            boolean pointer = m.group(4).equals("*");
            boolean ok = pointer ? m.group(1).equals("device") && m.group(3).equals("float")
                    : m.group(1).equals("constant") && m.group(2) == null;
            if (!ok) {
                throw new IllegalStateException("Metal kernel " + e.entry() + ": parameter " + i + " '" + text
                        + "' has an unexpected address space");
            }
            int index = Integer.parseInt(m.group(6));
            if (index != i) {
                throw new IllegalStateException("Metal kernel " + e.entry() + ": parameter " + i + " (" + m.group(5)
                        + ") is bound at [[buffer(" + index + ")]], the contract says buffer(" + i + ")");
            }
            String type = pointer ? (m.group(2) != null ? "const float*" : "float*") : m.group(3);
            out.add(new KernelIndex.Param(type, m.group(5)));
        }
        return new KernelIndex.Entry(e.entry(), e.file(), e.unit(), e.schedule(), e.launch(), e.count(), e.scratch(),
                List.copyOf(out), e.shared(), e.threads());
    }

    /**
     * What is bound at {@code [[buffer(i)]]} for one dispatch, {@code i} = list position: {@code buffers[a]} (an
     * {@code MTLBuffer} id) for a tensor, an {@code Integer} for {@code int} and {@code boolean} (0/1), a
     * {@code Float}; then {@code scratch} when the kernel takes one. {@link MetalDevice#dispatch} binds the
     * MemorySegments with {@code setBuffer} and the numbers with {@code setBytes}.
     */
    static List<Object> bindings(LaunchPlan plan, Object[] args, MemorySegment[] buffers, MemorySegment scratch) {
        List<Object> out = new ArrayList<>(args.length + 1);
        for (int a = 0; a < args.length; a++) {
            out.add(switch (args[a]) {
                case Integer x -> x;
                case Float x -> x;
                case Boolean x -> x ? 1 : 0;
                case MemorySegment seg -> buffers[a];
                default -> throw new IllegalArgumentException(plan.entry().entry() + ": argument " + a + " is a " + args[a]);
            });
        }
        if (plan.scratchParam()) out.add(scratch);
        return out;
    }

    // ------------------------------------------------------------------ the launcher (macOS, untested)

    @Override
    synchronized void call(String entry, Object... args) {
        KernelIndex.Entry e = bound.computeIfAbsent(entry, n -> {
            KernelIndex.Entry raw = kernels.get(n);
            if (raw == null) throw new IllegalStateException("Metal kernel " + n + " is not in " + FOLDER + "/index.tsv");
            return cSignature(raw);
        });
        LaunchPlan plan = LaunchPlan.of(e, args);
        String source = kernels.source(e);
        MemorySegment pso = pipelines.computeIfAbsent(sha256(source) + "/" + entry, k -> device.pipeline(source, entry));
        LaunchPlan.Geometry g = plan.geometry(block, GROUP_BLOCK, (int) Math.min(1024, device.maxThreads(pso)));
        List<MemorySegment> taken = new ArrayList<>();
        try {
            MemorySegment[] bufs = new MemorySegment[args.length];
            for (int a = 0; a < args.length; a++) {
                if (!(args[a] instanceof MemorySegment seg)) continue;
                bufs[a] = take(seg.byteSize(), taken);
                if (seg.byteSize() > 0) MetalDevice.contents(bufs[a], seg.byteSize()).copyFrom(seg);
            }
            MemorySegment scratch = plan.scratchParam() ? take(plan.scratchBytes(), taken) : null;
            if (g.grid() > 0) device.dispatch(pso, bindings(plan, args, bufs, scratch), g.grid(), g.block());
            for (int a = 0; a < args.length; a++) {
                if (bufs[a] == null || !plan.written(a)) continue;
                MemorySegment out = (MemorySegment) args[a];
                if (out.byteSize() > 0) out.copyFrom(MetalDevice.contents(bufs[a], out.byteSize()));
            }
        } finally {
            for (MemorySegment b : taken) pool.computeIfAbsent(sizeOf(b), x -> new ArrayDeque<>()).push(b);
        }
    }

    private final Map<MemorySegment, Long> sizes = new HashMap<>();

    private MemorySegment take(long bytes, List<MemorySegment> taken) {
        long size = Math.max(4, bytes);
        ArrayDeque<MemorySegment> free = pool.get(size);
        MemorySegment b = free == null || free.isEmpty() ? device.buffer(size) : free.pop();
        sizes.put(b, size);
        taken.add(b);
        return b;
    }

    private long sizeOf(MemorySegment buffer) { return sizes.get(buffer); }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
