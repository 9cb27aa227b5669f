package xlstm.backends.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import xlstm.backends.SignalGuard;

/**
 * CUDA on this machine, through our FFM bindings of the driver API ({@link CudaDriver}, {@code libcuda.so.1}) and
 * NVRTC ({@link Nvrtc}, {@code libnvrtc.so}): device discovery ({@link #probe()}), the chosen device
 * ({@code -Dxlstm.cuda.device=N}, default 0) and the JVM-wide {@link CudaContext} on it.
 *
 * <p>Every reason CUDA cannot run is one line: {@code CUDA: libcuda.so.1 not found (...)}, {@code CUDA: no CUDA
 * device (...)}, {@code CUDA: libnvrtc.so not found (...)}. {@code java xlstm.backends.cuda.Cuda} prints the devices
 * or that line (exit 1); with {@code --selftest} it also compiles, runs and times a small kernel.
 */
public final class Cuda {
    /** The driver library's name (override: {@code -Dxlstm.cuda.libcuda=NAME_OR_PATH}). */
    public static final String LIBRARY = "libcuda.so.1";
    /** The property that picks a device by ordinal. */
    public static final String DEVICE_PROPERTY = "xlstm.cuda.device";

    /** One CUDA device. {@code handle} is its {@code CUdevice}. */
    public record Device(int ordinal, int handle, String name, int ccMajor, int ccMinor, int multiprocessors,
            long totalMemory, int maxThreadsPerBlock, int maxGridX) {
        /** e.g. 90 for compute capability 9.0. */
        public int computeCapability() { return ccMajor * 10 + ccMinor; }

        /** e.g. {@code NVIDIA H200 (sm_90, 132 SMs, 139.8 GiB)}. */
        public String summary() {
            return String.format(Locale.ROOT, "%s (sm_%d, %d SMs, %.1f GiB)", name, computeCapability(), multiprocessors,
                    totalMemory / (double) (1L << 30));
        }
    }

    /**
     * What the probe found: the devices, the driver and NVRTC versions, and {@code problem}, the one-line reason CUDA
     * cannot run (null when it can). A missing NVRTC leaves the devices listed but CUDA unusable.
     */
    public record Probe(List<Device> devices, String driver, String nvrtc, String problem) {
        public boolean available() { return problem == null; }

        /** {@code NVIDIA H200 (sm_90, ...); CUDA driver 13.0, NVRTC 13.0}, as much as is known. */
        public String summary() {
            List<String> parts = new ArrayList<>();
            for (Device d : devices) parts.add(d.ordinal() + ": " + d.summary());
            String s = String.join(", ", parts);
            String v = (driver == null ? "" : "CUDA driver " + driver) + (nvrtc == null ? "" : ", NVRTC " + nvrtc);
            return s.isEmpty() ? v : v.isEmpty() ? s : s + "; " + v;
        }
    }

    private static Probe probe;
    private static CudaContext shared;

    private Cuda() {}

    /** Finds the driver, the devices and NVRTC, once per JVM; never throws. */
    public static synchronized Probe probe() {
        if (probe == null) probe = SignalGuard.preserving("the CUDA probe", Cuda::discover);
        return probe;
    }

    private static Probe discover() {
        CudaDriver drv;
        try {
            drv = CudaDriver.get();
        } catch (CudaException e) {
            return new Probe(List.of(), null, null, e.getMessage());
        }
        String driver = null;
        try {
            int rc = drv.init();
            try {
                int v = drv.driverVersion();
                driver = v / 1000 + "." + v % 1000 / 10;
            } catch (CudaException e) {
                // reported through cuInit's result below
            }
            if (rc == CudaDriver.CUDA_ERROR_NO_DEVICE) {
                return new Probe(List.of(), driver, null, "CUDA: no CUDA device (cuInit: " + drv.describe(rc)
                        + (driver == null ? "" : "; driver " + driver + " found") + ")");
            }
            drv.check(rc, "cuInit");
            int n = drv.deviceCount();
            if (n == 0) return new Probe(List.of(), driver, null, "CUDA: no CUDA device (driver " + driver + " found, 0 devices)");
            List<Device> devices = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int d = drv.device(i);
                devices.add(new Device(i, d, drv.deviceName(d),
                        drv.attribute(d, CudaDriver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR),
                        drv.attribute(d, CudaDriver.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR),
                        drv.attribute(d, CudaDriver.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT), drv.totalMemory(d),
                        drv.attribute(d, CudaDriver.CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK),
                        drv.attribute(d, CudaDriver.CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X)));
            }
            devices = List.copyOf(devices);
            Nvrtc nvrtc;
            try {
                nvrtc = Nvrtc.get();
            } catch (CudaException e) {
                return new Probe(devices, driver, null, e.getMessage());
            }
            return new Probe(devices, driver, nvrtc.version(), null);
        } catch (CudaException e) {
            return new Probe(List.of(), driver, null, e.getMessage());
        } catch (RuntimeException | LinkageError e) {
            return new Probe(List.of(), driver, null, "CUDA: the driver library could not be used (" + e + ")");
        }
    }

    /** The device the backend runs on: {@code -Dxlstm.cuda.device=N}, else the first. */
    public static Device device() {
        Probe p = probe();
        if (!p.available()) throw new CudaException(p.problem());
        String pick = System.getProperty(DEVICE_PROPERTY);
        if (pick == null || pick.isBlank()) return p.devices().getFirst();
        int i;
        try {
            i = Integer.parseInt(pick.strip());
        } catch (NumberFormatException e) {
            throw new CudaException("CUDA: -D" + DEVICE_PROPERTY + "=" + pick + " is not a device ordinal");
        }
        if (i < 0 || i >= p.devices().size()) {
            throw new CudaException("CUDA: -D" + DEVICE_PROPERTY + "=" + i + " is out of range: " + p.devices().size()
                    + " device(s) found");
        }
        return p.devices().get(i);
    }

    /** The JVM-wide context on {@link #device()}, created on first use and kept. */
    public static synchronized CudaContext context() {
        if (shared == null) shared = new CudaContext(device());
        return shared;
    }

    // ------------------------------------------------------------------ command line

    static final String SAXPY = """
            extern "C" __global__ void saxpy(int n, float a, const float* __restrict__ x, float* y) {
                int i = blockIdx.x * blockDim.x + threadIdx.x;
                if (i < n) y[i] = a * x[i] + y[i];
            }
            """;

    /**
     * Prints the CUDA devices, one a line, or the reason there are none (exit 1). {@code --nvrtc} only loads NVRTC
     * and prints its version or why it is missing (exit 1). {@code --selftest} then compiles
     * a saxpy kernel with NVRTC, runs it on 2^24 floats (copies on the stream), checks the result and times it
     * with events; exit 1 on any failure.
     */
    public static void main(String[] args) {
        if (List.of(args).contains("--nvrtc")) {
            try {
                Nvrtc n = Nvrtc.get();
                System.out.println("NVRTC " + n.version() + " (" + n.from() + "), architectures " + n.supportedArchs());
                return;
            } catch (CudaException e) {
                System.out.println(e.getMessage());
                System.exit(1);
            }
        }
        Probe p = probe();
        if (!p.available()) {
            System.out.println(p.problem());
            System.exit(1);
        }
        System.out.println("CUDA driver " + p.driver() + " (" + CudaDriver.get().from() + "), NVRTC " + p.nvrtc() + " ("
                + Nvrtc.get().from() + ")");
        for (Device d : p.devices()) System.out.println(d.ordinal() + ": " + d.summary());
        if (List.of(args).contains("--selftest")) {
            try {
                System.out.println(selfTest());
            } catch (RuntimeException e) {
                System.out.println("selftest FAILED: " + e.getMessage());
                System.exit(1);
            }
        }
    }

    /** The check of {@code --selftest}: one line with the result and the timings. */
    static String selfTest() {
        CudaContext ctx = context();
        long t0 = System.nanoTime();
        CuModule m = ctx.module("saxpy.cu", SAXPY);
        long compiled = System.nanoTime() - t0;
        CuFunction f = ctx.function(m, "saxpy");
        int n = 1 << 24;
        try (Arena a = Arena.ofConfined(); CuBuffer x = ctx.buffer(4L * n); CuBuffer y = ctx.buffer(4L * n);
                CuEvent start = ctx.event(); CuEvent end = ctx.event()) {
            MemorySegment hx = a.allocate(4L * n, 16), hy = a.allocate(4L * n, 16);
            for (int i = 0; i < n; i++) {
                hx.setAtIndex(ValueLayout.JAVA_FLOAT, i, i % 1000);
                hy.setAtIndex(ValueLayout.JAVA_FLOAT, i, 1);
            }
            ctx.writeAsync(x, hx);
            ctx.writeAsync(y, hy);
            KernelArgs args = new KernelArgs().i32(n).f32(2f).ptr(x.pointer()).ptr(y.pointer());
            ctx.launch(f, (n + 255) / 256, 256, args); // warm-up
            start.record();
            ctx.launch(f, (n + 255) / 256, 256, args);
            end.record();
            float ms = end.millisSince(start);
            ctx.readAsync(y, hy);
            ctx.synchronize("saxpy");
            for (int i = 0; i < n; i += 997) {
                float want = 4f * (i % 1000) + 1, got = hy.getAtIndex(ValueLayout.JAVA_FLOAT, i);
                if (got != want) throw new CudaException("CUDA: saxpy y[" + i + "] = " + got + ", expected " + want);
            }
            return String.format(Locale.ROOT, "selftest passed: saxpy on %d floats, %s, compiled in %.0f ms,"
                    + " kernel %.3f ms (%.0f GB/s), block limit %d, %d registers", n, m.target(), compiled / 1e6, ms,
                    12.0 * n / (ms * 1e6), f.maxThreadsPerBlock(), f.registers());
        }
    }
}
