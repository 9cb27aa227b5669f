package xlstm.backends.hip;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import xlstm.backends.DeviceStatus;
import xlstm.backends.NativeLibs;

/**
 * An FFM binding of the few HIP runtime calls ({@code libamdhip64.so}) that tell whether an AMD GPU is usable:
 * {@code hipRuntimeGetVersion}, {@code hipGetDeviceCount}, {@code hipDeviceGetName}, {@code hipGetErrorString}.
 * Kernel launches through HIP (module load, launch, memory) are not built yet: the probe reports what it finds
 * and the backend stays unavailable.
 */
public final class Hip {
    /** The library names tried, in order (the unversioned name comes with libamdhip64-dev). */
    public static final List<String> LIBRARIES = List.of("libamdhip64.so", "libamdhip64.so.6", "libamdhip64.so.5");

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;

    private Hip() {}

    /** The HIP devices, or why there are none; never throws. */
    public static DeviceStatus probe() {
        Linker linker = Linker.nativeLinker();
        try (Arena arena = Arena.ofConfined()) {
            SymbolLookup lib = NativeLibs.find(LIBRARIES, arena).orElse(null);
            if (lib == null) return DeviceStatus.unavailable("hip", "", "no AMD GPU/runtime: libamdhip64.so not found");
            MethodHandle count = fn(linker, lib, "hipGetDeviceCount", FunctionDescriptor.of(INT, ValueLayout.ADDRESS));
            MethodHandle name = fn(linker, lib, "hipDeviceGetName",
                    FunctionDescriptor.of(INT, ValueLayout.ADDRESS, INT, INT));
            MethodHandle version = fn(linker, lib, "hipRuntimeGetVersion", FunctionDescriptor.of(INT, ValueLayout.ADDRESS));
            MethodHandle errorString = fn(linker, lib, "hipGetErrorString",
                    FunctionDescriptor.of(ValueLayout.ADDRESS, INT));
            MemorySegment out = arena.allocate(INT);
            String runtime = "";
            if ((int) version.invokeExact(out) == 0) runtime = "HIP runtime " + version(out.get(INT, 0));
            int rc = (int) count.invokeExact(out);
            if (rc != 0) {
                return DeviceStatus.unavailable("hip", "", "no device: no AMD GPU (hipGetDeviceCount: "
                        + error(errorString, rc) + ", " + rc + ")" + (runtime.isEmpty() ? "" : "; " + runtime + " found"));
            }
            int n = out.get(INT, 0);
            if (n == 0) return DeviceStatus.unavailable("hip", "", "no device (" + runtime + " found, 0 AMD GPUs)");
            List<String> names = new ArrayList<>();
            MemorySegment buf = arena.allocate(256);
            for (int d = 0; d < n; d++) {
                names.add((int) name.invokeExact(buf, 256, d) == 0 ? buf.getString(0) : "device " + d);
            }
            return DeviceStatus.unavailable("hip", String.join(", ", names), "HIP backend not built yet ("
                    + runtime + ", " + n + " device(s) found); the HIP kernels are compiled in CI only");
        } catch (Throwable e) {
            return DeviceStatus.unavailable("hip", "", "no AMD GPU/runtime: libamdhip64.so could not be used (" + e + ")");
        }
    }

    /** HIP_VERSION = major * 10^7 + minor * 10^5 + patch. */
    static String version(int v) {
        return (v / 10_000_000) + "." + (v / 100_000 % 100) + "." + (v % 100_000);
    }

    private static String error(MethodHandle errorString, int rc) throws Throwable {
        MemorySegment s = (MemorySegment) errorString.invokeExact(rc);
        return s.equals(MemorySegment.NULL) ? "error " + rc : s.reinterpret(1024).getString(0);
    }

    private static MethodHandle fn(Linker linker, SymbolLookup lib, String name, FunctionDescriptor d) {
        MemorySegment sym = lib.find(name).orElseThrow(() -> new IllegalStateException(name + " missing"));
        return linker.downcallHandle(sym, d);
    }
}
