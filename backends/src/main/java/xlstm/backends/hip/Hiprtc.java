package xlstm.backends.hip;

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
import java.util.List;
import xlstm.backends.SignalGuard;

/**
 * An FFM binding of hiprtc: HIP C++ source to an AMD GPU code object at run time ({@code hiprtcCreateProgram},
 * {@code hiprtcCompileProgram}, the program log, {@code hiprtcGetCode(Size)}). Looked up in {@code libhiprtc.so}
 * (ROCm 6: a library of its own), else in {@code libamdhip64.so} itself (ROCm 5.x, e.g. Debian's HIP 5.2). Without
 * either, modules can still be loaded from code objects built ahead of time ({@link HipContext#load}). A compile
 * error is a {@link HipException} whose message is {@code HIP: hiprtc could not compile NAME (...)} and then the log.
 */
public final class Hiprtc {
    public static final int HIPRTC_SUCCESS = 0;

    private static volatile Object loaded;

    private final String from;
    private final MethodHandle hiprtcVersion, hiprtcCreateProgram, hiprtcCompileProgram, hiprtcGetProgramLogSize,
            hiprtcGetProgramLog, hiprtcGetCodeSize, hiprtcGetCode, hiprtcDestroyProgram, hiprtcGetErrorString;
    private final String version;

    /** The result of one compile: the code object and hiprtc's log (warnings). */
    public record Compiled(byte[] image, String log, List<String> options) {}

    private Hiprtc(SymbolLookup l, String from) {
        this.from = from;
        hiprtcVersion = fn(l, "hiprtcVersion", JAVA_INT, ADDRESS, ADDRESS);
        hiprtcCreateProgram = fn(l, "hiprtcCreateProgram", JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
        hiprtcCompileProgram = fn(l, "hiprtcCompileProgram", JAVA_INT, ADDRESS, JAVA_INT, ADDRESS);
        hiprtcGetProgramLogSize = fn(l, "hiprtcGetProgramLogSize", JAVA_INT, ADDRESS, ADDRESS);
        hiprtcGetProgramLog = fn(l, "hiprtcGetProgramLog", JAVA_INT, ADDRESS, ADDRESS);
        hiprtcGetCodeSize = fn(l, "hiprtcGetCodeSize", JAVA_INT, ADDRESS, ADDRESS);
        hiprtcGetCode = fn(l, "hiprtcGetCode", JAVA_INT, ADDRESS, ADDRESS);
        hiprtcDestroyProgram = fn(l, "hiprtcDestroyProgram", JAVA_INT, ADDRESS);
        hiprtcGetErrorString = fn(l, "hiprtcGetErrorString", ADDRESS, JAVA_INT);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment major = a.allocate(JAVA_INT), minor = a.allocate(JAVA_INT);
            int rc = (int) hiprtcVersion.invokeExact(major, minor);
            version = rc == HIPRTC_SUCCESS ? major.get(JAVA_INT, 0) + "." + minor.get(JAVA_INT, 0) : "?";
        } catch (Throwable t) {
            throw HipDriver.rethrow(t);
        }
    }

    /**
     * hiprtc, loaded once per JVM: {@code libhiprtc.so} ({@code -Dxlstm.hip.hiprtc=NAME_OR_PATH}), else the runtime
     * library's own; a {@link HipException} when neither has it (or the runtime is missing).
     */
    public static Hiprtc get() {
        Object l = loaded;
        if (l == null) {
            synchronized (Hiprtc.class) {
                l = loaded;
                if (l == null) {
                    try {
                        HipLibraries.Loaded own = HipLibraries.hiprtc();
                        if (own != null) {
                            l = new Hiprtc(own.lookup(), own.from());
                        } else {
                            HipDriver d = HipDriver.get();
                            if (d.lookup().find("hiprtcCompileProgram").isEmpty()) {
                                throw new HipException("HIP: hiprtc not found (neither libhiprtc.so nor hiprtc in "
                                        + d.from() + "): install ROCm's hiprtc, or load code objects built ahead of time");
                            }
                            l = new Hiprtc(d.lookup(), d.from());
                        }
                    } catch (HipException e) {
                        l = e;
                    }
                    loaded = l;
                }
            }
        }
        if (l instanceof HipException e) throw new HipException(e.getMessage(), e.code());
        return (Hiprtc) l;
    }

    /** Where hiprtc was found: {@code libhiprtc.so} or the runtime library. */
    public String from() { return from; }

    public String version() { return version; }

    /**
     * Compiles {@code source} (named {@code name} in messages) with {@code options}, e.g.
     * {@code --offload-arch=gfx90a} (without one, hiprtc compiles for the current device), into a code object.
     */
    public Compiled compile(String name, String source, List<String> options) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment prog = a.allocate(ADDRESS);
            check((int) hiprtcCreateProgram.invokeExact(prog, a.allocateFrom(source), a.allocateFrom(name), 0,
                    MemorySegment.NULL, MemorySegment.NULL), "hiprtcCreateProgram(" + name + ")");
            MemorySegment p = prog.get(ADDRESS, 0);
            try {
                MemorySegment opts = a.allocate(ADDRESS, Math.max(1, options.size()));
                for (int i = 0; i < options.size(); i++) opts.setAtIndex(ADDRESS, i, a.allocateFrom(options.get(i)));
                int rc = SignalGuard.preserving("hiprtc compiling " + name,
                        () -> (int) hiprtcCompileProgram.invokeExact(p, options.size(), opts));
                String log = log(p, a);
                if (rc != HIPRTC_SUCCESS) {
                    throw new HipException("HIP: hiprtc could not compile " + name + " (" + error(rc) + ", options "
                            + String.join(" ", options) + ")" + (log.isEmpty() ? "" : ":\n" + log), rc);
                }
                MemorySegment size = a.allocate(JAVA_LONG);
                check((int) hiprtcGetCodeSize.invokeExact(p, size), "hiprtcGetCodeSize(" + name + ")");
                long n = size.get(JAVA_LONG, 0);
                MemorySegment image = a.allocate(Math.max(1, n));
                check((int) hiprtcGetCode.invokeExact(p, image), "hiprtcGetCode(" + name + ")");
                return new Compiled(image.asSlice(0, n).toArray(JAVA_BYTE), log, List.copyOf(options));
            } finally {
                int ignored = (int) hiprtcDestroyProgram.invokeExact(prog);
            }
        } catch (Throwable t) {
            throw HipDriver.rethrow(t);
        }
    }

    /**
     * {@code java xlstm.backends.hip.Hiprtc [OPTION...] FILE...}: compiles each HIP source file with the options
     * (e.g. {@code --offload-arch=gfx90a}; no device needed), prints {@code ok FILE (N bytes)} or the error with
     * hiprtc's log; exit 1 when one fails or hiprtc is missing. Run it in a process of its own where an OpenCL ICD
     * such as PoCL is loaded: two LLVMs in one process (PoCL's and comgr's) abort it ("LLVM ERROR: inconsistency in
     * registered CommandLine options").
     */
    public static void main(String[] args) throws java.io.IOException {
        List<String> options = java.util.Arrays.stream(args).filter(a -> a.startsWith("-")).toList();
        int failed = 0;
        Hiprtc rtc;
        try {
            rtc = get();
        } catch (HipException e) {
            System.out.println(e.getMessage());
            System.exit(1);
            return;
        }
        for (String f : args) {
            if (f.startsWith("-")) continue;
            java.nio.file.Path path = java.nio.file.Path.of(f);
            try {
                Compiled c = rtc.compile(path.getFileName().toString(), java.nio.file.Files.readString(path), options);
                System.out.println("ok " + path.getFileName() + " (" + c.image().length + " bytes)");
            } catch (HipException e) {
                failed++;
                System.out.println(e.getMessage());
            }
        }
        System.exit(failed == 0 ? 0 : 1);
    }

    private String log(MemorySegment prog, Arena a) throws Throwable {
        MemorySegment size = a.allocate(JAVA_LONG);
        if ((int) hiprtcGetProgramLogSize.invokeExact(prog, size) != HIPRTC_SUCCESS || size.get(JAVA_LONG, 0) <= 1) return "";
        MemorySegment text = a.allocate(size.get(JAVA_LONG, 0) + 1);
        if ((int) hiprtcGetProgramLog.invokeExact(prog, text) != HIPRTC_SUCCESS) return "";
        return text.getString(0).strip();
    }

    /** {@code HIPRTC_ERROR_COMPILATION (6)}. */
    public String error(int rc) {
        try {
            MemorySegment s = (MemorySegment) hiprtcGetErrorString.invokeExact(rc);
            return (s.equals(MemorySegment.NULL) ? "hiprtcResult" : s.reinterpret(1024).getString(0)) + " (" + rc + ")";
        } catch (Throwable t) {
            return "hiprtcResult " + rc;
        }
    }

    private void check(int rc, String call) {
        if (rc != HIPRTC_SUCCESS) throw new HipException("HIP: " + call + " failed: " + error(rc), rc);
    }

    private static MethodHandle fn(SymbolLookup lib, String name, MemoryLayout result, MemoryLayout... args) {
        MemorySegment sym = lib.find(name).orElseThrow(() -> new HipException("HIP: hiprtc has no " + name));
        return Linker.nativeLinker().downcallHandle(sym, FunctionDescriptor.of(result, args));
    }
}
