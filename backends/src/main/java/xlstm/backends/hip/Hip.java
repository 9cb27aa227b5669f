package xlstm.backends.hip;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import xlstm.backends.SignalGuard;

/**
 * HIP on this machine, through our FFM bindings of the HIP runtime ({@link HipDriver}, {@code libamdhip64.so}) and
 * hiprtc ({@link Hiprtc}): device discovery ({@link #probe()}), the chosen device ({@code -Dxlstm.hip.device=N},
 * default 0) and the JVM-wide {@link HipContext} on it. The same shape as {@code xlstm.backends.cuda.Cuda}.
 *
 * <p>Every reason HIP cannot run is one line: {@code HIP: no AMD GPU/runtime: libamdhip64.so not found (...)},
 * {@code HIP: no device (...)}, {@code HIP: hiprtc not found (...)}. Kernel execution on an AMD GPU is UNTESTED (no
 * AMD GPU in this project's machines); the paths without a device are tested against Debian's HIP 5.2.
 * {@code java xlstm.backends.hip.Hip} prints the devices or that line (exit 1).
 */
public final class Hip {
    /** The library names tried, in order (override: {@code -Dxlstm.hip.library=NAME_OR_PATH}). */
    public static final List<String> LIBRARIES = HipLibraries.AMDHIP;
    /** The property that picks a device by ordinal. */
    public static final String DEVICE_PROPERTY = "xlstm.hip.device";

    /** One HIP device, by ordinal. */
    public record Device(int ordinal, String name, long totalMemory) {
        /** e.g. {@code AMD Instinct MI210 (64.0 GiB)}. */
        public String summary() {
            return String.format(Locale.ROOT, "%s (%.1f GiB)", name, totalMemory / (double) (1L << 30));
        }
    }

    /**
     * What the probe found: the devices, the runtime and hiprtc versions, and {@code problem}, the one-line reason HIP
     * cannot run (null when it can). A missing hiprtc leaves the devices listed but the backend unusable.
     */
    public record Probe(List<Device> devices, String runtime, String hiprtc, String problem) {
        public boolean available() { return problem == null; }

        /** {@code 0: AMD Instinct MI210 (64.0 GiB); HIP runtime 5.2.21153, hiprtc 5.2}, as much as is known. */
        public String summary() {
            List<String> parts = new ArrayList<>();
            for (Device d : devices) parts.add(d.ordinal() + ": " + d.summary());
            String s = String.join(", ", parts);
            String v = (runtime == null ? "" : "HIP runtime " + runtime) + (hiprtc == null ? "" : ", hiprtc " + hiprtc);
            return s.isEmpty() ? v : v.isEmpty() ? s : s + "; " + v;
        }
    }

    private static Probe probe;
    private static HipContext shared;

    private Hip() {}

    /** Finds the runtime, the devices and hiprtc, once per JVM; never throws. */
    public static synchronized Probe probe() {
        if (probe == null) probe = SignalGuard.preserving("the HIP probe", () -> discover(HipDriver::get));
        return probe;
    }

    /** The probe on a given driver source (tests pass an uncached load); never throws. */
    static Probe discover(java.util.function.Supplier<HipDriver> load) {
        HipDriver drv;
        try {
            drv = load.get();
        } catch (HipException e) {
            return new Probe(List.of(), null, null, e.getMessage());
        } catch (RuntimeException | LinkageError e) {
            return new Probe(List.of(), null, null, "HIP: no AMD GPU/runtime: libamdhip64.so could not be used (" + e + ")");
        }
        String runtime = null;
        try {
            try {
                runtime = version(drv.runtimeVersion());
            } catch (HipException e) {
                // reported through hipInit / hipGetDeviceCount below
            }
            String found = runtime == null ? "" : "; HIP runtime " + runtime + " found";
            int rc = drv.init();
            if (rc != HipDriver.HIP_SUCCESS) {
                return new Probe(List.of(), runtime, null, "HIP: no device: no AMD GPU (hipInit: " + drv.describe(rc) + found + ")");
            }
            int[] count = drv.deviceCount();
            if (count[0] != HipDriver.HIP_SUCCESS) {
                return new Probe(List.of(), runtime, null, "HIP: no device: no AMD GPU (hipGetDeviceCount: "
                        + drv.describe(count[0]) + found + ")");
            }
            if (count[1] == 0) return new Probe(List.of(), runtime, null, "HIP: no device (0 AMD GPUs" + found + ")");
            List<Device> devices = new ArrayList<>();
            for (int d = 0; d < count[1]; d++) devices.add(new Device(d, drv.deviceName(d), drv.totalMemory(d)));
            devices = List.copyOf(devices);
            Hiprtc rtc;
            try {
                rtc = Hiprtc.get();
            } catch (HipException e) {
                return new Probe(devices, runtime, null, e.getMessage());
            }
            return new Probe(devices, runtime, rtc.version(), null);
        } catch (HipException e) {
            return new Probe(List.of(), runtime, null, e.getMessage());
        } catch (RuntimeException | LinkageError e) {
            return new Probe(List.of(), runtime, null, "HIP: the runtime library could not be used (" + e + ")");
        }
    }

    /** HIP_VERSION = major * 10^7 + minor * 10^5 + patch. */
    static String version(int v) {
        return (v / 10_000_000) + "." + (v / 100_000 % 100) + "." + (v % 100_000);
    }

    /** The device the backend runs on: {@code -Dxlstm.hip.device=N}, else the first. */
    public static Device device() {
        Probe p = probe();
        if (!p.available()) throw new HipException(p.problem());
        String pick = System.getProperty(DEVICE_PROPERTY);
        if (pick == null || pick.isBlank()) return p.devices().getFirst();
        int i;
        try {
            i = Integer.parseInt(pick.strip());
        } catch (NumberFormatException e) {
            throw new HipException("HIP: -D" + DEVICE_PROPERTY + "=" + pick + " is not a device ordinal");
        }
        if (i < 0 || i >= p.devices().size()) {
            throw new HipException("HIP: -D" + DEVICE_PROPERTY + "=" + i + " is out of range: " + p.devices().size()
                    + " device(s) found");
        }
        return p.devices().get(i);
    }

    /** The JVM-wide context on {@link #device()}, created on first use and kept. */
    public static synchronized HipContext context() {
        if (shared == null) shared = SignalGuard.preserving("the HIP context", () -> new HipContext(device()));
        return shared;
    }

    /** Prints the HIP devices, one a line, or the reason there are none (exit 1). */
    public static void main(String[] args) {
        Probe p = probe();
        if (!p.available()) {
            System.out.println(p.problem());
            System.exit(1);
        }
        System.out.println("HIP runtime " + p.runtime() + " (" + HipDriver.get().from() + "), hiprtc " + p.hiprtc()
                + " (" + Hiprtc.get().from() + ")");
        for (Device d : p.devices()) System.out.println(d.ordinal() + ": " + d.summary());
    }
}
