package xlstm.backends.cuda;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Finding {@code libcuda.so.1} and {@code libnvrtc.so}: first by the dynamic linker's rules (so
 * {@code LD_LIBRARY_PATH} wins), then in the standard CUDA places: {@code $CUDA_HOME}, {@code $CUDA_PATH},
 * {@code /usr/local/cuda} and {@code /usr/local/cuda-*} (newest first), each with {@code targets/<arch>-linux/lib},
 * {@code lib64} and {@code lib}, and the distributions' library folders. A system property overrides the names
 * ({@code -Dxlstm.cuda.libcuda=NAME_OR_PATH}, {@code -Dxlstm.cuda.nvrtc=NAME_OR_PATH}).
 */
public final class CudaLibraries {
    /** The property naming the driver library to load instead of {@link #LIBCUDA}. */
    public static final String LIBCUDA_PROPERTY = "xlstm.cuda.libcuda";
    /** The property naming the NVRTC library to load instead of {@link #NVRTC}. */
    public static final String NVRTC_PROPERTY = "xlstm.cuda.nvrtc";
    /** The property naming the cuBLAS library to load instead of {@link #CUBLAS}. */
    public static final String CUBLAS_PROPERTY = "xlstm.cuda.cublas";
    /** cuBLAS's names, tried in order. */
    public static final List<String> CUBLAS = List.of("libcublas.so", "libcublas.so.13", "libcublas.so.12");
    /** The driver library's names, tried in order. */
    public static final List<String> LIBCUDA = List.of("libcuda.so.1", "libcuda.so");
    /** NVRTC's names, tried in order (the unversioned name comes with the -dev package only). */
    public static final List<String> NVRTC = List.of("libnvrtc.so", "libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so.11.2");

    private CudaLibraries() {}

    /** A library that loaded, and where from (a path, or the name the dynamic linker resolved). */
    public record Loaded(SymbolLookup lookup, String from) {}

    /** The driver library, or a {@link CudaException} {@code CUDA: libcuda.so.1 not found (...)}. */
    static Loaded libcuda() {
        return open(names(LIBCUDA_PROPERTY, LIBCUDA), searchDirs(),
                "the NVIDIA driver is not installed, or this machine has no NVIDIA GPU");
    }

    /** NVRTC, with its builtins library loaded first from the same folder when it is there. */
    static Loaded nvrtc() {
        Loaded l = open(names(NVRTC_PROPERTY, NVRTC), searchDirs(),
                "NVRTC compiles the generated kernels at run time: install the CUDA toolkit's nvrtc package,"
                        + " or put its folder on LD_LIBRARY_PATH");
        preloadBuiltins(l.from());
        return l;
    }

    /** cuBLAS, for the matrix products of the device-resident models. */
    static Loaded cublas() {
        return open(names(CUBLAS_PROPERTY, CUBLAS), searchDirs(),
                "the device-resident models multiply with cuBLAS: install the CUDA toolkit's cublas package, or put"
                        + " its folder on LD_LIBRARY_PATH");
    }

    static List<String> names(String property, List<String> defaults) {
        String own = System.getProperty(property);
        return own == null || own.isBlank() ? defaults : List.of(own.strip());
    }

    /**
     * The first of {@code names} that loads, by the dynamic linker's rules and then in {@code dirs}; otherwise a
     * {@link CudaException} {@code CUDA: <first name> not found (<hint>; searched ...)}.
     */
    static Loaded open(List<String> names, List<Path> dirs, String hint) {
        String failed = null;
        for (String n : names) {
            if (n.contains("/")) {
                if (!Files.exists(Path.of(n))) continue;
                String bad = notElf(Path.of(n));
                if (bad != null) {
                    failed = n + ": " + bad;
                    continue;
                }
            }
            try {
                return new Loaded(SymbolLookup.libraryLookup(n, Arena.global()), n);
            } catch (IllegalArgumentException e) {
                if (n.contains("/")) failed = n + ": " + e.getMessage();
            }
        }
        for (Path d : dirs) {
            for (String n : names) {
                if (n.contains("/")) continue;
                Path p = d.resolve(n);
                if (!Files.isRegularFile(p)) continue;
                String bad = notElf(p);
                if (bad != null) {
                    failed = p + ": " + bad;
                    continue;
                }
                try {
                    return new Loaded(SymbolLookup.libraryLookup(p, Arena.global()), p.toString());
                } catch (IllegalArgumentException e) {
                    failed = p + ": " + e.getMessage();
                }
            }
        }
        if (failed != null) throw new CudaException("CUDA: " + names.getFirst() + " would not load (" + failed + ")");
        throw new CudaException("CUDA: " + names.getFirst() + " not found (" + hint + "; looked on the dynamic linker's"
                + " path" + (dirs.isEmpty() ? "" : " and in " + dirs.size() + " CUDA folders such as " + dirs.getFirst())
                + ")");
    }

    /**
     * Why {@code file} cannot be a shared library (not readable, not ELF), or null. Checked before the dynamic
     * linker sees it: its own message would only say "Cannot open library".
     */
    static String notElf(Path file) {
        try (var in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(4);
            boolean elf = head.length == 4 && head[0] == 0x7f && head[1] == 'E' && head[2] == 'L' && head[3] == 'F';
            return elf ? null : "not an ELF shared library";
        } catch (IOException e) {
            return "cannot be read (" + e.getMessage() + ")";
        }
    }

    /** Where to look after the dynamic linker, existing folders only, without duplicates. */
    static List<Path> searchDirs() {
        String arch = switch (System.getProperty("os.arch", "").toLowerCase(Locale.ROOT)) {
            case "aarch64", "arm64" -> "sbsa";
            default -> "x86_64";
        };
        Set<Path> dirs = new LinkedHashSet<>();
        for (Path h : homes()) {
            dirs.add(h.resolve("targets/" + arch + "-linux/lib"));
            dirs.add(h.resolve("lib64"));
            dirs.add(h.resolve("lib"));
        }
        String multiarch = arch.equals("sbsa") ? "aarch64-linux-gnu" : "x86_64-linux-gnu";
        for (String d : new String[] {"/usr/lib/" + multiarch, "/usr/lib64", "/usr/lib", "/usr/lib/wsl/lib"}) {
            dirs.add(Path.of(d));
        }
        return dirs.stream().filter(Files::isDirectory).toList();
    }

    /**
     * The CUDA toolkit's {@code nvcc}: on the PATH, else in the CUDA homes of {@link #searchDirs}; null when there is
     * none. For the checks that compile CUDA sources without a GPU (the tests).
     */
    public static Path nvcc() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path c = Path.of(dir.isEmpty() ? "." : dir, "nvcc");
            if (Files.isExecutable(c)) return c;
        }
        for (Path h : homes()) {
            if (Files.isExecutable(h.resolve("bin/nvcc"))) return h.resolve("bin/nvcc");
        }
        return null;
    }

    /** The CUDA homes: $CUDA_HOME, $CUDA_PATH, /usr/local/cuda, then /usr/local/cuda-* newest first. */
    private static List<Path> homes() {
        List<Path> homes = new ArrayList<>();
        for (String env : new String[] {"CUDA_HOME", "CUDA_PATH"}) {
            String v = System.getenv(env);
            if (v != null && !v.isBlank()) homes.add(Path.of(v));
        }
        homes.add(Path.of("/usr/local/cuda"));
        try (Stream<Path> s = Files.list(Path.of("/usr/local"))) {
            s.filter(p -> p.getFileName().toString().startsWith("cuda-"))
                    .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed())
                    .forEach(homes::add);
        } catch (IOException | RuntimeException e) {
            // no /usr/local: nothing to add
        }
        return homes;
    }

    /**
     * NVRTC opens {@code libnvrtc-builtins.so.X.Y} itself by name at the first compile; loading it first from NVRTC's
     * own folder makes that work when the folder is not on the dynamic linker's path.
     */
    private static void preloadBuiltins(String nvrtcFrom) {
        if (!nvrtcFrom.contains("/")) return;
        Path dir = Path.of(nvrtcFrom).toAbsolutePath().getParent();
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> builtins = s.filter(p -> p.getFileName().toString().startsWith("libnvrtc-builtins.so"))
                    .sorted(Comparator.comparing((Path p) -> p.getFileName().toString().length()).reversed()).toList();
            for (Path p : builtins) {
                try {
                    SymbolLookup.libraryLookup(p, Arena.global());
                    return;
                } catch (IllegalArgumentException e) {
                    // try the next one; NVRTC reports it if none loads
                }
            }
        } catch (IOException | RuntimeException e) {
            // NVRTC reports a missing builtins library itself
        }
    }
}
