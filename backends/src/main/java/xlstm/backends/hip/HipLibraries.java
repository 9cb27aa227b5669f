package xlstm.backends.hip;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Finding {@code libamdhip64.so} and {@code libhiprtc.so}: first by the dynamic linker's rules (so
 * {@code LD_LIBRARY_PATH} wins), then under {@code $ROCM_PATH}, {@code $HIP_PATH}, {@code /opt/rocm} and
 * {@code /opt/rocm-*} (newest first), each with {@code lib} and {@code lib64}. A system property overrides the names
 * ({@code -Dxlstm.hip.library=NAME_OR_PATH}, {@code -Dxlstm.hip.hiprtc=NAME_OR_PATH}). The same scheme as
 * {@code xlstm.backends.cuda.CudaLibraries} (whose helpers are package-private there).
 */
public final class HipLibraries {
    /** The property naming the HIP runtime library to load instead of {@link #AMDHIP}. */
    public static final String LIBRARY_PROPERTY = "xlstm.hip.library";
    /** The property naming the hiprtc library to load instead of {@link #HIPRTC}. */
    public static final String HIPRTC_PROPERTY = "xlstm.hip.hiprtc";
    /** The HIP runtime's names, tried in order (the unversioned name comes with libamdhip64-dev). */
    public static final List<String> AMDHIP = List.of("libamdhip64.so", "libamdhip64.so.6", "libamdhip64.so.5");
    /** hiprtc's names (a library of its own since ROCm 5.3/6; before that inside libamdhip64.so). */
    public static final List<String> HIPRTC = List.of("libhiprtc.so", "libhiprtc.so.6", "libhiprtc.so.5");

    private HipLibraries() {}

    /** A library that loaded, and where from (a path, or the name the dynamic linker resolved). */
    public record Loaded(SymbolLookup lookup, String from) {}

    /** The HIP runtime, or a {@link HipException} {@code HIP: no AMD GPU/runtime: libamdhip64.so not found (...)}. */
    static Loaded amdhip() {
        Loaded l = open(names(LIBRARY_PROPERTY, AMDHIP), searchDirs());
        if (l == null) {
            throw new HipException("HIP: no AMD GPU/runtime: " + names(LIBRARY_PROPERTY, AMDHIP).getFirst()
                    + " not found (install ROCm or Debian's libamdhip64-dev, or put its folder on LD_LIBRARY_PATH)");
        }
        return l;
    }

    /** hiprtc as a library of its own, or null (ROCm 5.x has it inside libamdhip64.so). */
    static Loaded hiprtc() {
        return open(names(HIPRTC_PROPERTY, HIPRTC), searchDirs());
    }

    static List<String> names(String property, List<String> defaults) {
        String own = System.getProperty(property);
        return own == null || own.isBlank() ? defaults : List.of(own.strip());
    }

    /** The first of {@code names} that loads, by the dynamic linker's rules and then in {@code dirs}; else null. */
    static Loaded open(List<String> names, List<Path> dirs) {
        for (String n : names) {
            if (n.contains("/") && !Files.isRegularFile(Path.of(n))) continue;
            try {
                return new Loaded(SymbolLookup.libraryLookup(n, Arena.global()), n);
            } catch (IllegalArgumentException e) {
                // not there: try the next name
            }
        }
        for (Path d : dirs) {
            for (String n : names) {
                if (n.contains("/")) continue;
                Path p = d.resolve(n);
                if (!Files.isRegularFile(p)) continue;
                try {
                    return new Loaded(SymbolLookup.libraryLookup(p, Arena.global()), p.toString());
                } catch (IllegalArgumentException e) {
                    // a broken file: try the next one
                }
            }
        }
        return null;
    }

    /** Where to look after the dynamic linker, existing folders only. */
    static List<Path> searchDirs() {
        List<Path> homes = new ArrayList<>();
        for (String env : new String[] {"ROCM_PATH", "HIP_PATH"}) {
            String v = System.getenv(env);
            if (v != null && !v.isBlank()) homes.add(Path.of(v));
        }
        homes.add(Path.of("/opt/rocm"));
        try (Stream<Path> s = Files.list(Path.of("/opt"))) {
            s.filter(p -> p.getFileName().toString().startsWith("rocm-"))
                    .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed())
                    .forEach(homes::add);
        } catch (IOException | RuntimeException e) {
            // no /opt: nothing to add
        }
        Set<Path> dirs = new LinkedHashSet<>();
        for (Path h : homes) {
            dirs.add(h.resolve("lib"));
            dirs.add(h.resolve("lib64"));
        }
        return dirs.stream().filter(Files::isDirectory).toList();
    }
}
