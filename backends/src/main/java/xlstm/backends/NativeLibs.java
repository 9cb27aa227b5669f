package xlstm.backends;

import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.util.List;
import java.util.Optional;

/** Finding a native library by the dynamic linker's rules, for the FFM bindings of the drivers. */
public final class NativeLibs {
    private NativeLibs() {}

    /**
     * The first of {@code names} the dynamic linker loads, as a lookup living as long as {@code arena}; empty
     * when none loads.
     */
    public static Optional<SymbolLookup> find(List<String> names, Arena arena) {
        for (String n : names) {
            try {
                return Optional.of(SymbolLookup.libraryLookup(n, arena));
            } catch (IllegalArgumentException | IllegalCallerException e) {
                // not there: try the next name
            }
        }
        return Optional.empty();
    }

    /** Whether {@code library} loads (released again at once). */
    public static boolean canLoad(String library) {
        try (Arena arena = Arena.ofConfined()) {
            return find(List.of(library), arena).isPresent();
        }
    }
}
