package xlstm.backends.cuda;

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
 * What the CUDA driver library says about this machine ({@code libcuda.so.1} through FFM: {@code cuInit},
 * {@code cuDriverGetVersion}, {@code cuDeviceGetCount}, {@code cuDeviceGetName}). There is no CUDA kernel backend in
 * this build yet, so the status is always unavailable; it says honestly whether the driver and a GPU are there.
 */
public final class Cuda {
    public static final String LIBRARY = "libcuda.so.1";
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;

    private Cuda() {}

    public static DeviceStatus probe() {
        Linker linker = Linker.nativeLinker();
        try (Arena arena = Arena.ofConfined()) {
            SymbolLookup lib = NativeLibs.find(List.of(LIBRARY), arena).orElse(null);
            if (lib == null) return DeviceStatus.unavailable("cuda", "", "CUDA backend not built yet; libcuda.so.1 not found");
            MethodHandle init = fn(linker, lib, "cuInit", FunctionDescriptor.of(INT, INT));
            MethodHandle version = fn(linker, lib, "cuDriverGetVersion", FunctionDescriptor.of(INT, ValueLayout.ADDRESS));
            MethodHandle count = fn(linker, lib, "cuDeviceGetCount", FunctionDescriptor.of(INT, ValueLayout.ADDRESS));
            MethodHandle get = fn(linker, lib, "cuDeviceGet", FunctionDescriptor.of(INT, ValueLayout.ADDRESS, INT));
            MethodHandle name = fn(linker, lib, "cuDeviceGetName", FunctionDescriptor.of(INT, ValueLayout.ADDRESS, INT, INT));
            int rc = (int) init.invokeExact(0);
            if (rc != 0) {
                return DeviceStatus.unavailable("cuda", "", "CUDA backend not built yet; libcuda.so.1 found, cuInit returned "
                        + rc + (rc == 100 ? " (CUDA_ERROR_NO_DEVICE)" : ""));
            }
            MemorySegment out = arena.allocate(INT);
            String driver = (int) version.invokeExact(out) == 0 ? "driver API " + out.get(INT, 0) : "driver";
            int n = (int) count.invokeExact(out) == 0 ? out.get(INT, 0) : 0;
            List<String> names = new ArrayList<>();
            MemorySegment buf = arena.allocate(256);
            for (int d = 0; d < n; d++) {
                boolean ok = (int) get.invokeExact(out, d) == 0 && (int) name.invokeExact(buf, 256, out.get(INT, 0)) == 0;
                names.add(ok ? buf.getString(0) : "device " + d);
            }
            return DeviceStatus.unavailable("cuda", String.join(", ", names), "CUDA backend not built yet; libcuda.so.1 found ("
                    + driver + ", " + n + " device(s))");
        } catch (Throwable e) {
            return DeviceStatus.unavailable("cuda", "", "CUDA backend not built yet; libcuda.so.1 could not be used (" + e + ")");
        }
    }

    private static MethodHandle fn(Linker linker, SymbolLookup lib, String name, FunctionDescriptor d) {
        MemorySegment sym = lib.find(name).orElseThrow(() -> new IllegalStateException(name + " missing"));
        return linker.downcallHandle(sym, d);
    }
}
