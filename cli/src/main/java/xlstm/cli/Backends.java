package xlstm.cli;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.util.List;
import java.util.stream.Collectors;
import jdk.incubator.vector.FloatVector;
import xlstm.backends.cpu.CpuParallel;
import xlstm.backends.cpu.KernelMode;
import xlstm.runtime.UserError;

/**
 * The compute backends this build knows and, for each, whether it runs here and why not. Only the CPU backend
 * exists so far; the others say so plainly, and whether their driver library could be found, so the message stays
 * honest when they arrive.
 */
final class Backends {
    record Backend(String name, boolean available, String detail) {}

    private Backends() {}

    static List<Backend> all() {
        return List.of(cpu(),
                notBuilt("cuda", "libcuda.so.1"),
                notBuilt("hip", "libamdhip64.so"),
                notBuilt("opencl", "libOpenCL.so.1"),
                new Backend("metal", false, "not built yet; Metal exists only on macOS"
                        + (System.getProperty("os.name", "").toLowerCase().contains("mac") ? "" : " (this is "
                        + System.getProperty("os.name") + ")")));
    }

    static List<String> availableNames() {
        return all().stream().filter(Backend::available).map(Backend::name).toList();
    }

    /** Fails with a message listing the backends when {@code name} cannot run in this build on this machine. */
    static void require(String name) {
        for (Backend b : all()) {
            if (b.name().equals(name)) {
                if (b.available()) return;
                throw new UserError("backend " + name + " is not available: " + b.detail()
                        + "; available backends: " + String.join(", ", availableNames()));
            }
        }
        throw new UserError("unknown backend '" + name + "'; available backends: "
                + String.join(", ", availableNames()) + " (known but unavailable: "
                + all().stream().filter(b -> !b.available()).map(Backend::name).collect(Collectors.joining(", "))
                + ")");
    }

    private static Backend cpu() {
        var species = FloatVector.SPECIES_PREFERRED;
        return new Backend("cpu", true, "Java Vector API, FloatVector.SPECIES_PREFERRED = "
                + species.vectorBitSize() + " bits (" + species.length() + " float lanes), "
                + CpuParallel.threads() + " threads (-Dxlstm.threads=N), "
                + (KernelMode.scalar() ? "scalar kernels forced (-Dxlstm.kernels.scalar=true)" : "vector kernels"));
    }

    private static Backend notBuilt(String name, String library) {
        return new Backend(name, false, "not built yet (this build has no " + name + " backend); "
                + library + ": " + (canLoad(library) ? "found" : "not found"));
    }

    /** Whether the dynamic linker finds {@code library} (loaded and released again at once). */
    static boolean canLoad(String library) {
        try (Arena arena = Arena.ofConfined()) {
            SymbolLookup.libraryLookup(library, arena);
            return true;
        } catch (IllegalArgumentException | IllegalCallerException | UnsatisfiedLinkError e) {
            return false;
        }
    }
}
