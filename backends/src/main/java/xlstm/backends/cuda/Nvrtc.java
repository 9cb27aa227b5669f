package xlstm.backends.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import xlstm.backends.SignalGuard;

/**
 * An FFM binding of NVRTC ({@code libnvrtc.so}): CUDA C++ source to PTX (or a cubin) at run time. A compile error is
 * a {@link CudaException} whose message is {@code CUDA: NVRTC could not compile NAME (NVRTC_ERROR_COMPILATION,
 * options): } and then NVRTC's log.
 */
public final class Nvrtc {
    public static final int NVRTC_SUCCESS = 0;
    public static final int NVRTC_ERROR_COMPILATION = 6;

    private static volatile Object loaded;

    private final String from;
    private final MethodHandle nvrtcVersion, nvrtcCreateProgram, nvrtcCompileProgram, nvrtcGetProgramLogSize,
            nvrtcGetProgramLog, nvrtcGetPTXSize, nvrtcGetPTX, nvrtcGetCUBINSize, nvrtcGetCUBIN, nvrtcDestroyProgram,
            nvrtcGetErrorString, nvrtcGetNumSupportedArchs, nvrtcGetSupportedArchs;
    private final int[] version;
    private final List<Integer> archs;

    /** The result of one compile: the image (PTX text with its NUL, or a cubin) and NVRTC's log (warnings). */
    public record Compiled(byte[] image, boolean cubin, String log, List<String> options) {}

    private Nvrtc(CudaLibraries.Loaded lib) {
        this.from = lib.from();
        SymbolLookup l = lib.lookup();
        nvrtcVersion = fn(l, "nvrtcVersion", JAVA_INT, ADDRESS, ADDRESS);
        nvrtcCreateProgram = fn(l, "nvrtcCreateProgram", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
        nvrtcCompileProgram = fn(l, "nvrtcCompileProgram", JAVA_INT, ADDRESS, JAVA_INT, ADDRESS);
        nvrtcGetProgramLogSize = fn(l, "nvrtcGetProgramLogSize", JAVA_INT, ADDRESS, ADDRESS);
        nvrtcGetProgramLog = fn(l, "nvrtcGetProgramLog", JAVA_INT, ADDRESS, ADDRESS);
        nvrtcGetPTXSize = fn(l, "nvrtcGetPTXSize", JAVA_INT, ADDRESS, ADDRESS);
        nvrtcGetPTX = fn(l, "nvrtcGetPTX", JAVA_INT, ADDRESS, ADDRESS);
        nvrtcDestroyProgram = fn(l, "nvrtcDestroyProgram", JAVA_INT, ADDRESS);
        nvrtcGetErrorString = fn(l, "nvrtcGetErrorString", ADDRESS, JAVA_INT);
        nvrtcGetCUBINSize = optional(l, "nvrtcGetCUBINSize", JAVA_INT, ADDRESS, ADDRESS);
        nvrtcGetCUBIN = optional(l, "nvrtcGetCUBIN", JAVA_INT, ADDRESS, ADDRESS);
        nvrtcGetNumSupportedArchs = optional(l, "nvrtcGetNumSupportedArchs", JAVA_INT, ADDRESS);
        nvrtcGetSupportedArchs = optional(l, "nvrtcGetSupportedArchs", JAVA_INT, ADDRESS);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment major = a.allocate(JAVA_INT), minor = a.allocate(JAVA_INT);
            check((int) nvrtcVersion.invokeExact(major, minor), "nvrtcVersion", null);
            version = new int[] {major.get(JAVA_INT, 0), minor.get(JAVA_INT, 0)};
            List<Integer> as = new ArrayList<>();
            if (nvrtcGetNumSupportedArchs != null && nvrtcGetSupportedArchs != null) {
                MemorySegment n = a.allocate(JAVA_INT);
                if ((int) nvrtcGetNumSupportedArchs.invokeExact(n) == NVRTC_SUCCESS && n.get(JAVA_INT, 0) > 0) {
                    MemorySegment list = a.allocate(JAVA_INT, n.get(JAVA_INT, 0));
                    if ((int) nvrtcGetSupportedArchs.invokeExact(list) == NVRTC_SUCCESS) {
                        for (int i = 0; i < n.get(JAVA_INT, 0); i++) as.add(list.getAtIndex(JAVA_INT, i));
                    }
                }
            }
            archs = List.copyOf(as);
        } catch (Throwable t) {
            throw CudaDriver.rethrow(t);
        }
    }

    /** NVRTC, loaded once per JVM; a {@link CudaException} ({@code CUDA: libnvrtc.so not found (...)}) when missing. */
    public static Nvrtc get() {
        Object l = loaded;
        if (l == null) {
            synchronized (Nvrtc.class) {
                l = loaded;
                if (l == null) {
                    try {
                        l = new Nvrtc(CudaLibraries.nvrtc());
                    } catch (CudaException e) {
                        l = e;
                    }
                    loaded = l;
                }
            }
        }
        if (l instanceof CudaException e) throw new CudaException(e.getMessage(), e.code());
        return (Nvrtc) l;
    }

    public String from() { return from; }

    /** e.g. {@code 13.0}. */
    public String version() { return version[0] + "." + version[1]; }

    /** The compute capabilities this NVRTC compiles for ({@code 75, 80, ..., 120}); empty when it does not say. */
    public List<Integer> supportedArchs() { return archs; }

    /**
     * The architecture to compile for on a device of compute capability {@code cc} (e.g. 90): the highest one NVRTC
     * supports that is not above {@code cc} (PTX runs on later devices too); {@code cc} itself when NVRTC does not
     * list its architectures. A device older than all of them is a {@link CudaException}.
     */
    public int archFor(int cc) {
        if (archs.isEmpty()) return cc;
        int best = -1;
        for (int a : archs) if (a <= cc && a > best) best = a;
        if (best < 0) {
            throw new CudaException("CUDA: NVRTC " + version() + " cannot compile for compute capability "
                    + cc / 10 + "." + cc % 10 + " (it supports " + archs + ")");
        }
        return best;
    }

    /** Whether {@link #compile} can produce a cubin ({@code nvrtcGetCUBIN}, CUDA 11.1+). */
    public boolean canMakeCubin() { return nvrtcGetCUBIN != null && nvrtcGetCUBINSize != null; }

    /**
     * Compiles {@code source} (named {@code name} in messages and the log) with {@code options}, e.g.
     * {@code --gpu-architecture=compute_90}, into PTX, or into a cubin when {@code cubin} (then the architecture
     * option must be a real one, {@code sm_90}).
     */
    public Compiled compile(String name, String source, List<String> options, boolean cubin) {
        if (cubin && !canMakeCubin()) throw new CudaException("CUDA: NVRTC " + version() + " cannot make cubins");
        try (Arena a = Arena.ofConfined()) {
            MemorySegment prog = a.allocate(ADDRESS);
            check((int) nvrtcCreateProgram.invokeExact(prog, a.allocateFrom(source), a.allocateFrom(name), 0,
                    MemorySegment.NULL, MemorySegment.NULL), "nvrtcCreateProgram(" + name + ")", null);
            MemorySegment p = prog.get(ADDRESS, 0);
            try {
                MemorySegment opts = a.allocate(ADDRESS, Math.max(1, options.size()));
                for (int i = 0; i < options.size(); i++) opts.setAtIndex(ADDRESS, i, a.allocateFrom(options.get(i)));
                int rc = SignalGuard.preserving("NVRTC compiling " + name,
                        () -> (int) nvrtcCompileProgram.invokeExact(p, options.size(), opts));
                String log = log(p, a);
                if (rc != NVRTC_SUCCESS) {
                    throw new CudaException("CUDA: NVRTC could not compile " + name + " (" + error(rc) + ", options "
                            + String.join(" ", options) + ")" + (log.isEmpty() ? "" : ":\n" + log), rc);
                }
                MemorySegment size = a.allocate(JAVA_LONG);
                if (cubin) {
                    check((int) nvrtcGetCUBINSize.invokeExact(p, size), "nvrtcGetCUBINSize", name);
                } else {
                    check((int) nvrtcGetPTXSize.invokeExact(p, size), "nvrtcGetPTXSize", name);
                }
                MemorySegment image = a.allocate(Math.max(1, size.get(JAVA_LONG, 0)));
                if (cubin) {
                    check((int) nvrtcGetCUBIN.invokeExact(p, image), "nvrtcGetCUBIN", name);
                } else {
                    check((int) nvrtcGetPTX.invokeExact(p, image), "nvrtcGetPTX", name);
                }
                return new Compiled(image.asSlice(0, size.get(JAVA_LONG, 0)).toArray(JAVA_BYTE), cubin, log,
                        List.copyOf(options));
            } finally {
                int ignored = (int) nvrtcDestroyProgram.invokeExact(prog);
            }
        } catch (Throwable t) {
            throw CudaDriver.rethrow(t);
        }
    }

    private String log(MemorySegment prog, Arena a) throws Throwable {
        MemorySegment size = a.allocate(JAVA_LONG);
        if ((int) nvrtcGetProgramLogSize.invokeExact(prog, size) != NVRTC_SUCCESS || size.get(JAVA_LONG, 0) <= 1) return "";
        MemorySegment text = a.allocate(size.get(JAVA_LONG, 0));
        if ((int) nvrtcGetProgramLog.invokeExact(prog, text) != NVRTC_SUCCESS) return "";
        return text.getString(0).strip();
    }

    /** {@code NVRTC_ERROR_COMPILATION (6)}. */
    public String error(int rc) {
        try {
            MemorySegment s = (MemorySegment) nvrtcGetErrorString.invokeExact(rc);
            return (s.equals(MemorySegment.NULL) ? "nvrtcResult" : s.reinterpret(1024).getString(0)) + " (" + rc + ")";
        } catch (Throwable t) {
            return "nvrtcResult " + rc;
        }
    }

    private void check(int rc, String call, String name) {
        if (rc != NVRTC_SUCCESS) {
            throw new CudaException("CUDA: " + call + (name == null ? "" : " for " + name) + " failed: " + error(rc), rc);
        }
    }

    private static MethodHandle fn(SymbolLookup lib, String name, MemoryLayout result, MemoryLayout... args) {
        MethodHandle h = optional(lib, name, result, args);
        if (h == null) throw new CudaException("CUDA: the NVRTC library has no " + name + " (too old)");
        return h;
    }

    private static MethodHandle optional(SymbolLookup lib, String name, MemoryLayout result, MemoryLayout... args) {
        return lib.find(name).map(s -> Linker.nativeLinker().downcallHandle(s, FunctionDescriptor.of(result, args)))
                .orElse(null);
    }
}
