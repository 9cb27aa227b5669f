package xlstm.runtime.backend;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import xlstm.backends.DeviceStatus;
import xlstm.backends.cuda.Cuda;
import xlstm.backends.hip.Hip;
import xlstm.backends.metal.Metal;
import xlstm.backends.opencl.OpenCl;
import xlstm.runtime.UserError;

/**
 * The kernel backends this build knows, which of them run on this machine, and the choice among them.
 *
 * <p>Ranking, best first: {@code cuda} &gt; {@code hip} &gt; {@code metal} &gt; {@code opencl} on a GPU &gt;
 * {@code cpu} (Java Vector API) &gt; {@code opencl} on a CPU (e.g. PoCL: correct, but a copy per call and no faster
 * than the Java kernels). {@code auto} takes the best available one; a name forces that backend. The default comes
 * from {@code -Dxlstm.backend=NAME} (else {@code auto}). The statuses are probed once per JVM.
 */
public final class KernelBackends {
    /** The names, in the order of the devices table. */
    public static final List<String> NAMES = List.of("cuda", "hip", "metal", "opencl", "cpu");
    public static final String AUTO = "auto";
    /** The system property that sets the default backend. */
    public static final String PROPERTY = "xlstm.backend";

    /** A backend's status and its place in the ranking (0 is best). */
    public record Status(DeviceStatus device, int rank) {
        public String name() { return device.backend(); }
        public boolean available() { return device.available(); }
    }

    /** What {@link #choose} picked, and why each better-ranked or other backend was not taken. */
    public record Choice(KernelBackend backend, boolean automatic, List<String> skipped) {
        /** One line for a log: {@code backend cpu (auto, ...): device; skipped cuda: reason | hip: reason | ...}. */
        public String describe() {
            return "backend " + backend.name() + (automatic ? " (auto, the best available)" : " (requested)") + ": "
                    + backend.device() + (skipped.isEmpty() ? "" : "; skipped " + String.join(" | ", skipped));
        }
    }

    private static List<Status> statuses;
    /** The statuses probed so far, by name: a backend asked for by name probes only itself. */
    private static final Map<String, Status> probed = new HashMap<>();

    private KernelBackends() {}

    /** Every backend's status, ranked best first. */
    public static synchronized List<Status> statuses() {
        if (statuses == null) {
            List<Status> s = new ArrayList<>();
            for (String name : NAMES) s.add(status(name));
            s.sort(Comparator.comparingInt(Status::rank));
            statuses = List.copyOf(s);
        }
        return statuses;
    }

    /**
     * The status of {@code name}, probed once per JVM; null for an unknown name. Only that backend's runtime is
     * loaded: {@code --backend cpu} loads no GPU library at all.
     */
    public static synchronized Status status(String name) {
        if (!NAMES.contains(name)) return null;
        return probed.computeIfAbsent(name, n -> switch (n) {
            case "cuda" -> new Status(cudaStatus(), 0);
            case "hip" -> new Status(hipStatus(), 1);
            case "metal" -> new Status(metalStatus(), 2);
            case "opencl" -> {
                DeviceStatus cl = openClStatus();
                yield new Status(cl, cl.gpu() ? 3 : 5);
            }
            default -> new Status(new DeviceStatus("cpu", true, false, JavaKernels.INSTANCE.device(), ""), 4);
        });
    }

    /** The names of the backends that run here, best first. */
    public static List<String> available() {
        return statuses().stream().filter(Status::available).map(Status::name).toList();
    }

    /** The backend for {@code -Dxlstm.backend} (default {@code auto}). */
    public static KernelBackend byDefault() {
        Choice c = choose(System.getProperty(PROPERTY, AUTO));
        if (c.automatic() && !logged) {
            logged = true;
            System.getLogger("xlstm.backend").log(System.Logger.Level.DEBUG, c.describe());
        }
        return c.backend();
    }

    private static volatile boolean logged;

    /** The backend named {@code name} ({@code auto}, or one of {@link #NAMES}; {@code java} means {@code cpu}). */
    public static KernelBackend get(String name) {
        return choose(name).backend();
    }

    /**
     * Resolves {@code name}: {@code auto} (or null/blank) takes the best-ranked available backend and lists why the
     * others were skipped; a known name must be available here; anything else is a {@link UserError} listing the
     * names.
     */
    public static Choice choose(String name) {
        String n = name == null || name.isBlank() ? AUTO : name.strip().toLowerCase(Locale.ROOT);
        if (n.equals("java")) n = "cpu";
        if (n.equals(AUTO)) {
            Status best = statuses().stream().filter(Status::available).findFirst().orElseThrow();
            List<String> skipped = new ArrayList<>();
            for (Status s : statuses()) {
                if (s == best) continue;
                skipped.add(s.name() + ": " + (s.available() ? "ranks below " + best.name()
                        + (s.name().equals("opencl") ? " (its device is a CPU)" : "") : s.device().reason()));
            }
            return new Choice(instantiate(best.name()), true, List.copyOf(skipped));
        }
        Status s = status(n);
        if (s == null) {
            throw new UserError("unknown backend '" + name + "'; backends: " + AUTO + ", " + String.join(", ", NAMES)
                    + " (available here: " + String.join(", ", available()) + ")");
        }
        if (!s.available()) {
            throw new UserError("backend " + n + " is not available: " + s.device().reason()
                    + "; available backends: " + String.join(", ", available()));
        }
        return new Choice(instantiate(n), false, List.of());
    }

    private static KernelBackend instantiate(String name) {
        return switch (name) {
            case "cpu" -> JavaKernels.INSTANCE;
            case "opencl" -> OpenClKernels.get();
            case "cuda" -> CudaKernels.get();
            case "hip" -> HipKernels.get();
            case "metal" -> MetalKernels.get();
            default -> throw new IllegalStateException("backend " + name + " has no kernel implementation");
        };
    }

    private static DeviceStatus cudaStatus() {
        Cuda.Probe p = Cuda.probe();
        if (!p.available()) return DeviceStatus.unavailable("cuda", p.summary(), p.problem());
        String why = CudaKernels.unavailableReason();
        if (why != null) return DeviceStatus.unavailable("cuda", p.summary(), why);
        String devices = p.devices().size() > 1 ? " (" + p.devices().size() + " devices; -D" + Cuda.DEVICE_PROPERTY
                + "=N picks one)" : "";
        try {
            // the context is what every call needs: a device that cannot give one (busy, exclusive mode, out of
            // memory) is not usable
            Cuda.context();
        } catch (RuntimeException e) {
            return DeviceStatus.unavailable("cuda", p.summary(), e.getMessage());
        }
        Cuda.Device d = Cuda.device();
        return new DeviceStatus("cuda", true, true, d.summary() + devices, CudaKernels.index().size()
                + " generated CUDA kernels, " + CudaKernels.modulesFrom(d) + " (CUDA driver " + p.driver() + ", NVRTC "
                + p.nvrtc() + ")");
    }

    private static DeviceStatus hipStatus() {
        Hip.Probe p = Hip.probe();
        if (!p.available()) return DeviceStatus.unavailable("hip", p.devices().isEmpty() ? "" : p.summary(), p.problem());
        String why = HipKernels.unavailableReason();
        if (why != null) return DeviceStatus.unavailable("hip", p.summary(), why);
        try {
            Hip.context();
        } catch (RuntimeException e) {
            return DeviceStatus.unavailable("hip", p.summary(), e.getMessage());
        }
        String devices = p.devices().size() > 1 ? " (" + p.devices().size() + " devices; -D" + Hip.DEVICE_PROPERTY
                + "=N picks one)" : "";
        return new DeviceStatus("hip", true, true, Hip.device().summary() + devices, HipKernels.index().size()
                + " generated HIP kernels, compiled at run time by hiprtc " + p.hiprtc() + " (HIP runtime "
                + p.runtime() + "; untested on a GPU)");
    }

    private static DeviceStatus metalStatus() {
        DeviceStatus m = Metal.probe();
        if (!m.available()) return m;
        String why = MetalKernels.unavailableReason();
        if (why != null) return DeviceStatus.unavailable("metal", m.device(), why);
        return new DeviceStatus("metal", true, true, m.device(), MetalKernels.index().size() + " " + m.reason());
    }

    private static DeviceStatus openClStatus() {
        OpenCl.Probe p = OpenCl.probe();
        if (!p.available()) return DeviceStatus.unavailable("opencl", "", p.problem());
        OpenCl.Device d;
        try {
            d = OpenCl.device();
        } catch (RuntimeException e) {
            return DeviceStatus.unavailable("opencl", "", e.getMessage());
        }
        String others = p.devices().size() > 1 ? " (" + p.devices().size() + " devices: "
                + p.devices().stream().map(x -> x.index() + "=" + x.name()).collect(Collectors.joining(", "))
                + "; -Dxlstm.opencl.device=N picks one)" : "";
        String why = OpenClKernels.unavailableReason();
        if (why != null) return new DeviceStatus("opencl", false, d.gpu(), d.summary() + others, why);
        return new DeviceStatus("opencl", true, d.gpu(), d.summary() + others,
                OpenClKernels.index().size() + " generated OpenCL C kernels");
    }
}
