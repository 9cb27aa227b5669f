package xlstm.runtime.backend;

import java.lang.foreign.MemorySegment;
import xlstm.backends.cuda.CuBuffer;
import xlstm.backends.cuda.CuFunction;
import xlstm.backends.cuda.Cuda;
import xlstm.backends.cuda.CudaContext;
import xlstm.backends.cuda.KernelArgs;

/**
 * The {@code cuda} backend: each call uploads its tensors to the GPU, runs the generated CUDA kernel of that entry
 * point, and copies the states and outputs back. The kernel's module is the PTX that nvcc built at build time
 * (classpath {@code xlstm/generated/cuda/<file>.ptx}, loaded by the driver, which JIT-compiles it for the device) when
 * the build made one and the device is of its architecture or newer; otherwise the source ({@code <file>.cu}) compiled
 * by NVRTC for the device's architecture (no fast math, module cache keyed by source hash). Launch
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
    /** The module of each kernel file, loaded once (calls are serialised). */
    private final java.util.Map<String, xlstm.backends.cuda.CuModule> modules = new java.util.HashMap<>();
    private final java.util.Map<String, CuFunction> residentFunctions = new java.util.HashMap<>();
    private int fromCubin, fromPtx, byNvrtc;

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
    public static KernelIndex index() {
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
        String loaded;
        synchronized (this) {
            loaded = fromCubin + fromPtx + byNvrtc == 0 ? "" : "; modules loaded: " + fromCubin + " from build-time cubins, "
                    + fromPtx + " from build-time PTX, " + byNvrtc + " by NVRTC";
        }
        return ctx.device().summary() + "; CUDA driver " + p.driver() + ", NVRTC " + p.nvrtc() + ", block " + block() + loaded;
    }

    @Override public String toString() { return "cuda"; }

    /** The context the kernels run on. */
    public CudaContext context() { return ctx; }

    // ------------------------------------------------------------------ the driver calls

    @Override
    CuFunction function(String file, String source, String entry) {
        return ctx.function(modules.computeIfAbsent(file, f -> module(f, source)), entry);
    }

    /**
     * The build-time cubin of {@code file} on a GPU of the generation it was assembled for (no JIT at first use), else
     * its build-time PTX when this device can run it (the driver JIT-compiles it), else NVRTC's compile of the source.
     * {@code -Dxlstm.cuda.prebuilt=false} skips the cubin.
     */
    private xlstm.backends.cuda.CuModule module(String file, String source) {
        String ptx = index().beside(file, ".ptx");
        int arch = ptx == null ? 0 : ptxArch(ptx), cc = ctx.device().computeCapability();
        if (arch > 0 && cc >= arch) {
            byte[] cubin = machineCodeRuns(cc, arch) ? index().besideBytes(file, ".cubin") : null;
            if (cubin != null) {
                try {
                    xlstm.backends.cuda.CuModule m = ctx.load(file + " (build-time cubin, sm_" + arch + ")", cubin,
                            "sm_" + arch, "cubin/" + file + "/" + Integer.toHexString(java.util.Arrays.hashCode(cubin)), "");
                    fromCubin++;
                    return m;
                } catch (xlstm.backends.cuda.CudaException e) {
                    // a driver older than the build's toolkit may refuse the cubin: the PTX below
                }
            }
            try {
                xlstm.backends.cuda.CuModule m = ctx.load(file + " (build-time PTX, sm_" + arch + ")",
                        ptx.getBytes(java.nio.charset.StandardCharsets.US_ASCII), "compute_" + arch,
                        "ptx/" + file + "/" + Integer.toHexString(ptx.hashCode()), "");
                fromPtx++;
                return m;
            } catch (xlstm.backends.cuda.CudaException e) {
                // PTX of a newer toolkit than the driver's JIT: compile the source with NVRTC instead
                if (e.code() != xlstm.backends.cuda.CudaDriver.CUDA_ERROR_UNSUPPORTED_PTX_VERSION) throw e;
            }
        }
        byNvrtc++;
        return ctx.module(file, source);
    }

    /**
     * Whether a device of compute capability {@code cc} loads build-time machine code built for {@code sm_<arch>}: the
     * same generation, not older than it, and {@code -Dxlstm.cuda.prebuilt} not false (the one rule for the generated
     * kernels' cubins and the hand-written sources', {@code xlstm.runtime.cuda.PrebuiltModules}).
     */
    public static boolean machineCodeRuns(int cc, int arch) {
        return cc >= arch && cc / 10 == arch / 10 && xlstm.backends.Flags.boolFlag("xlstm.cuda.prebuilt", true);
    }

    /** Where this build's kernels come from on {@code device}: the build-time PTX or NVRTC, in words. */
    static String modulesFrom(Cuda.Device device) {
        KernelIndex i = index();
        KernelIndex.Entry first = i == null || i.size() == 0 ? null : i.entries().getFirst();
        String ptx = first == null ? null : i.beside(first.file(), ".ptx");
        int arch = ptx == null ? 0 : ptxArch(ptx);
        if (arch == 0) return "compiled at run time by NVRTC (the build had no nvcc)";
        int cc = device.computeCapability();
        if (cc < arch) return "compiled at run time by NVRTC (the build-time PTX is for sm_" + arch + ", newer than this device)";
        boolean cubin = machineCodeRuns(cc, arch) && i.besideBytes(first.file(), ".cubin") != null;
        return cubin ? "sm_" + arch + " machine code built by nvcc at build time"
                : "PTX for sm_" + arch + " built by nvcc at build time";
    }

    /** The architecture of a PTX text's {@code .target sm_NN} line (90 for sm_90 or sm_90a), or 0. */
    static int ptxArch(String ptx) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^\\s*\\.target\\s+sm_(\\d+)").matcher(ptx);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    /** The function of {@code e} for {@link ResidentKernels} (serialised with the calls of this backend). */
    synchronized CuFunction residentFunction(KernelIndex.Entry e) {
        // cached per entry: a decode step launches dozens of kernels and must not re-read their sources
        return residentFunctions.computeIfAbsent(e.entry(), x -> function(e.file(), index().source(e), e.entry()));
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
