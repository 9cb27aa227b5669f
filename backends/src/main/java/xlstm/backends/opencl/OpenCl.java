package xlstm.backends.opencl;

import static org.lwjgl.opencl.CL10.*;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.lwjgl.PointerBuffer;
import org.lwjgl.opencl.CL;
import org.lwjgl.system.Configuration;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;
import xlstm.backends.SignalGuard;

/**
 * OpenCL through LWJGL 3.4: loading the ICD loader ({@code libOpenCL.so.1}), platform and device discovery, and
 * the one shared {@link ClContext} of the chosen device. Nothing here needs fp16; fp64 is checked only by programs
 * that ask for it ({@link ClContext#program}).
 *
 * <p>Device choice: {@code -Dxlstm.opencl.device=N} (an index into {@link Probe#devices()}), otherwise the first
 * GPU, otherwise the first device. {@code -Dorg.lwjgl.opencl.libname=PATH} names another ICD loader.
 */
public final class OpenCl {
    /** The hint in every "not here" message. */
    public static final String INSTALL_HINT = "install pocl-opencl-icd for the CPU, or a GPU vendor's OpenCL driver";

    /** One OpenCL device, with what the backend and the devices table need to know about it. */
    public record Device(int index, long platform, long id, String platformName, String platformVersion, String name,
            String vendor, String version, String openclCVersion, String driverVersion, boolean gpu,
            long globalMemBytes, int computeUnits, long maxWorkGroupSize, Set<String> extensions) {
        public boolean has(String extension) { return extensions.contains(extension); }

        /** e.g. {@code pthread-skylake (CPU; Portable Computing Language, OpenCL C 1.2; 16 CUs, 120 GiB; fp64, no fp16)}. */
        public String summary() {
            return String.format(Locale.ROOT, "%s (%s; %s, %s; %d compute units, %.1f GiB; %s, %s)", name,
                    gpu ? "GPU" : "CPU", platformName, openclCVersion, computeUnits, globalMemBytes / (double) (1L << 30),
                    has("cl_khr_fp64") ? "fp64" : "no fp64", has("cl_khr_fp16") ? "fp16" : "no fp16");
        }
    }

    /** The devices found, or why there are none ({@code problem} non-null exactly when {@code devices} is empty). */
    public record Probe(List<Device> devices, String problem) {
        public boolean available() { return problem == null; }
    }

    private static Probe probe;
    private static ClContext shared;

    private OpenCl() {}

    /** Discovers the platforms and devices once per JVM; never throws. */
    public static synchronized Probe probe() {
        if (probe == null) probe = SignalGuard.preserving("the OpenCL probe", OpenCl::discover);
        return probe;
    }

    /** The device the backend runs on (see the class comment). */
    public static Device device() {
        Probe p = probe();
        if (!p.available()) throw new OpenClException(p.problem());
        String pick = System.getProperty("xlstm.opencl.device");
        if (pick != null && !pick.isBlank()) {
            int i;
            try {
                i = Integer.parseInt(pick.strip());
            } catch (NumberFormatException e) {
                throw new OpenClException("OpenCL: -Dxlstm.opencl.device=" + pick + " is not a device index (0.."
                        + (p.devices().size() - 1) + ")");
            }
            if (i < 0 || i >= p.devices().size()) {
                throw new OpenClException("OpenCL: -Dxlstm.opencl.device=" + i + " is out of range: " + p.devices().size()
                        + " device(s) found");
            }
            return p.devices().get(i);
        }
        return p.devices().stream().filter(Device::gpu).findFirst().orElse(p.devices().getFirst());
    }

    /** The JVM-wide context and queue on {@link #device()}, created on first use and kept. */
    public static synchronized ClContext context() {
        if (shared == null) shared = new ClContext(device());
        return shared;
    }

    /** Prints the devices, one a line, or the reason there are none (exit 1); for scripts and tests. */
    public static void main(String[] args) {
        Probe p = probe();
        if (!p.available()) {
            System.out.println(p.problem());
            System.exit(1);
        }
        for (Device d : p.devices()) System.out.println(d.index() + ": " + d.summary());
    }

    // ------------------------------------------------------------------ discovery

    private static Probe discover() {
        String problem = loadLibrary();
        if (problem != null) return new Probe(List.of(), problem);
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer count = stack.mallocInt(1);
            int err = clGetPlatformIDs(null, count);
            if (err == -1001 || (err == CL_SUCCESS && count.get(0) == 0)) {
                return new Probe(List.of(), "OpenCL: no platform found (" + INSTALL_HINT + ")");
            }
            if (err != CL_SUCCESS) {
                return new Probe(List.of(), "OpenCL: clGetPlatformIDs failed: " + ClErrors.name(err) + " (" + INSTALL_HINT + ")");
            }
            PointerBuffer platforms = stack.mallocPointer(count.get(0));
            OpenClException.check(clGetPlatformIDs(platforms, (IntBuffer) null), "clGetPlatformIDs");
            List<Device> devices = new ArrayList<>();
            List<String> notes = new ArrayList<>();
            for (int p = 0; p < platforms.capacity(); p++) {
                long platform = platforms.get(p);
                String pname = platformString(platform, CL_PLATFORM_NAME);
                String pversion = platformString(platform, CL_PLATFORM_VERSION);
                IntBuffer n = stack.mallocInt(1);
                err = clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, null, n);
                if (err == CL_DEVICE_NOT_FOUND || (err == CL_SUCCESS && n.get(0) == 0)) {
                    notes.add(pname + ": no device");
                    continue;
                }
                if (err != CL_SUCCESS) {
                    notes.add(pname + ": clGetDeviceIDs failed: " + ClErrors.name(err));
                    continue;
                }
                PointerBuffer ids = stack.mallocPointer(n.get(0));
                OpenClException.check(clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, ids, (IntBuffer) null), "clGetDeviceIDs");
                for (int d = 0; d < ids.capacity(); d++) {
                    devices.add(describe(devices.size(), platform, pname, pversion, ids.get(d)));
                }
            }
            if (devices.isEmpty()) {
                return new Probe(List.of(), "OpenCL: no device found (" + String.join("; ", notes) + "; " + INSTALL_HINT + ")");
            }
            return new Probe(List.copyOf(devices), null);
        } catch (RuntimeException | LinkageError e) {
            return new Probe(List.of(), "OpenCL: discovery failed: " + e);
        }
    }

    /** Loads the ICD loader; returns why it could not, or null. */
    private static String loadLibrary() {
        // FFM instead of sun.misc.Unsafe for LWJGL's memory access (no warnings on JDK 24+)
        if (System.getProperty("org.lwjgl.system.memoryBackend") == null) {
            System.setProperty("org.lwjgl.system.memoryBackend", "ffm");
        }
        try {
            Configuration.OPENCL_EXPLICIT_INIT.set(true);
            String own = System.getProperty("org.lwjgl.opencl.libname");
            String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
            List<String> names = own != null ? List.of(own)
                    : os.contains("mac") ? List.of("/System/Library/Frameworks/OpenCL.framework/OpenCL")
                    : os.contains("win") ? List.of("OpenCL")
                    : List.of("libOpenCL.so.1", "libOpenCL.so");
            String last = null;
            for (String name : names) {
                // ask the dynamic linker first: LWJGL prints a multi-line notice to stderr when a load fails
                if (!canLoad(name)) continue;
                try {
                    CL.create(name);
                    return null;
                } catch (IllegalStateException already) {
                    return null; // created before in this JVM
                } catch (RuntimeException | LinkageError e) {
                    last = name + ": " + e.getMessage();
                }
            }
            if (last != null) return "OpenCL: the ICD loader would not start (" + last + ")";
            return "OpenCL: no ICD loader: " + String.join(", ", names) + " not found (install ocl-icd-libopencl1"
                    + " and a driver such as pocl-opencl-icd)";
        } catch (LinkageError e) {
            // LWJGL itself could not start (e.g. its native library could not be extracted)
            return "OpenCL: LWJGL could not start: " + e;
        }
    }

    private static boolean canLoad(String library) {
        try (Arena arena = Arena.ofConfined()) {
            SymbolLookup.libraryLookup(library, arena);
            return true;
        } catch (IllegalArgumentException | IllegalCallerException e) {
            return false;
        }
    }

    private static Device describe(int index, long platform, String pname, String pversion, long id) {
        long type = deviceLong(id, CL_DEVICE_TYPE);
        Set<String> ext = new TreeSet<>(Arrays.asList(deviceString(id, CL_DEVICE_EXTENSIONS).trim().split("\\s+")));
        ext.remove("");
        return new Device(index, platform, id, pname, pversion, deviceString(id, CL_DEVICE_NAME).strip(),
                deviceString(id, CL_DEVICE_VENDOR).strip(), deviceString(id, CL_DEVICE_VERSION),
                deviceString(id, 0x103D /* CL_DEVICE_OPENCL_C_VERSION */), deviceString(id, CL_DRIVER_VERSION),
                (type & CL_DEVICE_TYPE_GPU) != 0, deviceLong(id, CL_DEVICE_GLOBAL_MEM_SIZE),
                deviceInt(id, CL_DEVICE_MAX_COMPUTE_UNITS), devicePointer(id, CL_DEVICE_MAX_WORK_GROUP_SIZE),
                Set.copyOf(ext));
    }

    static String platformString(long platform, int param) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer size = stack.mallocPointer(1);
            OpenClException.check(clGetPlatformInfo(platform, param, (ByteBuffer) null, size), "clGetPlatformInfo");
            ByteBuffer buf = MemoryUtil.memAlloc((int) size.get(0));
            try {
                OpenClException.check(clGetPlatformInfo(platform, param, buf, null), "clGetPlatformInfo");
                return cString(buf);
            } finally {
                MemoryUtil.memFree(buf);
            }
        }
    }

    static String deviceString(long device, int param) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer size = stack.mallocPointer(1);
            OpenClException.check(clGetDeviceInfo(device, param, (ByteBuffer) null, size), "clGetDeviceInfo");
            ByteBuffer buf = MemoryUtil.memAlloc((int) size.get(0));
            try {
                OpenClException.check(clGetDeviceInfo(device, param, buf, null), "clGetDeviceInfo");
                return cString(buf);
            } finally {
                MemoryUtil.memFree(buf);
            }
        }
    }

    private static long deviceLong(long device, int param) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            LongBuffer v = stack.mallocLong(1);
            OpenClException.check(clGetDeviceInfo(device, param, v, null), "clGetDeviceInfo");
            return v.get(0);
        }
    }

    private static int deviceInt(long device, int param) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer v = stack.mallocInt(1);
            OpenClException.check(clGetDeviceInfo(device, param, v, null), "clGetDeviceInfo");
            return v.get(0);
        }
    }

    private static long devicePointer(long device, int param) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer v = stack.mallocPointer(1);
            OpenClException.check(clGetDeviceInfo(device, param, v, null), "clGetDeviceInfo");
            return v.get(0);
        }
    }

    /** A NUL-terminated string (or the whole buffer) as UTF-8. */
    static String cString(ByteBuffer buf) {
        int n = 0;
        while (n < buf.limit() && buf.get(n) != 0) n++;
        byte[] b = new byte[n];
        buf.get(0, b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
