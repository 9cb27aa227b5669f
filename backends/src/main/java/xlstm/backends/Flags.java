package xlstm.backends;

import java.util.Locale;

/**
 * Reads the {@code -D} flags (system properties) that tune the backends and kernels, strictly. A mistyped flag must
 * not silently run with the default, as {@code Integer.getInteger} ({@code -Dxlstm.opencl.local=abc}) and
 * {@code Boolean.getBoolean} ({@code -Dxlstm.cuda.pdl=flase}) would: an absent flag gives the default, a malformed
 * one throws {@link BadFlag}, whose message the CLI prints as a user error (one line, exit 2), also when the flag is
 * read while a class initialises. Values are stripped of surrounding whitespace; words match in any case.
 */
public final class Flags {
    private Flags() {}

    /** A flag whose value is not one it takes; the message is one line, {@code -Dname=value: what it takes}. */
    public static final class BadFlag extends IllegalArgumentException {
        BadFlag(String name, String value, String expected) {
            super("-D" + name + "=" + value + ": " + expected);
        }
    }

    /** Flag {@code name} as a whole number of at least {@code min}; {@code def} when absent. */
    public static int intFlag(String name, int def, int min) {
        return intFlag(name, def, min, Integer.MAX_VALUE);
    }

    /** Flag {@code name} as a whole number from {@code min} to {@code max}; {@code def} when absent. */
    public static int intFlag(String name, int def, int min, int max) {
        String v = System.getProperty(name);
        if (v == null) return def;
        try {
            int n = Integer.parseInt(v.strip());
            if (n >= min && n <= max) return n;
        } catch (NumberFormatException e) {
            // reported below, as a value out of range is
        }
        throw new BadFlag(name, v, "a whole number" + (max == Integer.MAX_VALUE ? ", " + min + " or more"
                : " from " + min + " to " + max));
    }

    /** Flag {@code name} as {@code true} or {@code false}; {@code def} when absent. */
    public static boolean boolFlag(String name, boolean def) {
        String v = System.getProperty(name);
        if (v == null) return def;
        return switch (v.strip().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new BadFlag(name, v, "true or false");
        };
    }

    /**
     * Refuses flag {@code old}, renamed to {@code now}, when it is set: a setting under the old name would otherwise
     * be ignored without a word.
     */
    public static void renamed(String old, String now) {
        String v = System.getProperty(old);
        if (v != null) throw new BadFlag(old, v, "renamed, use -D" + now);
    }

    /** Flag {@code name} as one of {@code allowed}, returned as spelt there; {@code def} when absent. */
    public static String choice(String name, String def, String... allowed) {
        String v = System.getProperty(name);
        if (v == null) return def;
        for (String a : allowed) {
            if (a.equalsIgnoreCase(v.strip())) return a;
        }
        throw new BadFlag(name, v, "one of " + String.join(", ", allowed));
    }
}
