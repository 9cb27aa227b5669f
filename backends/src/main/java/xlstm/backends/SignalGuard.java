package xlstm.backends;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps the JVM's signal handlers while a native device runtime is loaded and initialised. HotSpot takes SIGSEGV for
 * itself: a safepoint poll or an implicit null check is a read that faults on purpose. The OpenCL probe loads PoCL,
 * and PoCL's LLVM installs its own crash handlers for SIGSEGV and ten more signals (seen on the GPU host and on the
 * development machine). After that, the next such fault goes to LLVM's handler and the process dies: SIGSEGV, exit
 * 139, no hs_err file. This was the crash of {@code xlstm bench --bandwidth} on the 16-core GPU host. A core file
 * showed the faulting instruction, a safepoint poll ({@code test %eax,(%r11)}). With every backend probed and the
 * handlers left replaced, 3 of 5 runs died; with them put back, 0 of 5.
 *
 * <p>The JVM's own answer is libjsig (chaining). Here the handlers of the signals HotSpot uses are read before
 * {@code work} runs and put back after it wherever {@code work} replaced one. PoCL keeps working and only loses its
 * crash reports. A runtime that needed its own handler to work would break; none of those seen here does, and the
 * HIP runtime on an AMD GPU is untested (no such GPU here): {@code -Dxlstm.signals.keep=false} leaves handlers alone.
 *
 * <p>Linux only: x86_64 and aarch64 share the {@code struct sigaction} layout and the signal numbers used here.
 * Elsewhere, or without native access, {@code work} just runs. {@code -Dxlstm.signals.keep=false} only notes a
 * replaced handler and leaves it (to reproduce the crash).
 */
public final class SignalGuard {
    /** SIGHUP, SIGINT, SIGQUIT, SIGILL, SIGTRAP, SIGBUS, SIGFPE, SIGSEGV, SIGUSR2, SIGPIPE, SIGTERM, SIGXFSZ. */
    static final int[] SIGNALS = {1, 2, 3, 4, 5, 7, 8, 11, 12, 13, 15, 25};
    private static final String[] NAMES = {"SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGBUS", "SIGFPE",
            "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGTERM", "SIGXFSZ"};
    /** glibc's struct sigaction is 152 bytes on x86_64 and aarch64; room to spare, kept as opaque bytes. */
    private static final long ACTION_BYTES = 256;
    private static final MethodHandle SIGACTION = sigaction();
    /** {@code -Dxlstm.signals.keep=false}: only note a replaced handler, leave it in place (to see the crash). */
    private static final boolean KEEP = Flags.boolFlag("xlstm.signals.keep", true);
    /** The replaced handlers seen so far, one entry per guarded call ("the HIP probe: SIGSEGV SIGBUS"). */
    private static final List<String> restored = new ArrayList<>();

    private SignalGuard() {}

    private static MethodHandle sigaction() {
        if (!System.getProperty("os.name", "").startsWith("Linux")) return null;
        String arch = System.getProperty("os.arch", "");
        if (!arch.equals("amd64") && !arch.equals("x86_64") && !arch.equals("aarch64")) return null;
        if (!SignalGuard.class.getModule().isNativeAccessEnabled()) return null;
        try {
            Linker linker = Linker.nativeLinker();
            return linker.downcallHandle(linker.defaultLookup().find("sigaction").orElseThrow(), FunctionDescriptor.of(
                    ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }

    /** Whether handlers can be kept on this platform. */
    public static boolean active() { return SIGACTION != null; }

    /** Work that may throw {@code E} (a native call through a method handle throws Throwable). */
    @FunctionalInterface
    public interface Work<T, E extends Throwable> {
        T run() throws E;
    }

    /** Runs {@code work} and puts back any of the JVM's signal handlers it replaced; {@code what} names it in the log. */
    public static <T, E extends Throwable> T preserving(String what, Work<T, E> work) throws E {
        if (SIGACTION == null) return work.run();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment[] saved = new MemorySegment[SIGNALS.length];
            for (int i = 0; i < SIGNALS.length; i++) {
                saved[i] = arena.allocate(ACTION_BYTES, 16);
                if (call(SIGNALS[i], MemorySegment.NULL, saved[i]) != 0) saved[i] = null;
            }
            try {
                return work.run();
            } finally {
                MemorySegment now = arena.allocate(ACTION_BYTES, 16);
                List<String> changed = new ArrayList<>();
                for (int i = 0; i < SIGNALS.length; i++) {
                    if (saved[i] == null || call(SIGNALS[i], MemorySegment.NULL, now) != 0) continue;
                    // the handler is the struct's first word: a changed one means the library installed its own
                    if (now.get(ValueLayout.JAVA_LONG, 0) == saved[i].get(ValueLayout.JAVA_LONG, 0)) continue;
                    boolean back = KEEP && call(SIGNALS[i], saved[i], MemorySegment.NULL) == 0;
                    changed.add(NAMES[i] + (back ? "" : " (left replaced)"));
                }
                if (!changed.isEmpty()) {
                    synchronized (restored) {
                        restored.add(what + ": " + String.join(" ", changed));
                    }
                }
            }
        }
    }

    /** The handler address now installed for {@code signal} (0: default), or -1 where it cannot be read. */
    public static long handler(int signal) {
        if (SIGACTION == null) return -1;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocate(ACTION_BYTES, 16);
            return call(signal, MemorySegment.NULL, a) == 0 ? a.get(ValueLayout.JAVA_LONG, 0) : -1;
        }
    }

    /** The replaced handlers seen so far (and put back unless {@code -Dxlstm.signals.keep=false}). */
    public static List<String> restored() {
        synchronized (restored) {
            return List.copyOf(restored);
        }
    }

    private static int call(int signal, MemorySegment act, MemorySegment old) {
        try {
            return (int) SIGACTION.invokeExact(signal, act, old);
        } catch (Throwable t) {
            return -1;
        }
    }
}
