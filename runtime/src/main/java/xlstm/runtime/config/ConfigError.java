package xlstm.runtime.config;

import xlstm.runtime.UserError;

/**
 * A configuration problem tied to one option. {@link #option()} is the dotted path of the option
 * ({@code slstm_block.slstm.num_heads}); the message always names it.
 */
public final class ConfigError extends UserError {
    private final String option;
    private final String problem;

    public ConfigError(String option, String problem) {
        super("config option '" + option + "': " + problem);
        this.option = option;
        this.problem = problem;
    }

    /** The dotted path of the option at fault. */
    public String option() { return option; }

    /** The problem, without the option name. */
    public String problem() { return problem; }

    /** The same error for an option nested under {@code prefix} (no-op for an empty prefix). */
    public ConfigError under(String prefix) {
        if (prefix == null || prefix.isEmpty()) return this;
        return new ConfigError(prefix + "." + option, problem);
    }

    static ConfigError invalid(String option, Object value, String expected) {
        String shown = value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
        return new ConfigError(option, "invalid value " + shown + " (expected " + expected + ")");
    }

    static String oneOf(String value, String option, String... allowed) {
        for (String a : allowed) if (a.equals(value)) return value;
        throw invalid(option, value, "one of " + String.join(", ", allowed));
    }

    static int positive(int value, String option) {
        if (value <= 0) throw invalid(option, value, "a positive integer");
        return value;
    }

    static int nonNegative(int value, String option) {
        if (value < 0) throw invalid(option, value, "an integer >= 0");
        return value;
    }

    static double positive(double value, String option) {
        if (!(value > 0) || Double.isInfinite(value)) throw invalid(option, value, "a positive number");
        return value;
    }

    static double probability(double value, String option) {
        if (!(value >= 0 && value < 1)) throw invalid(option, value, "a number in [0, 1)");
        return value;
    }
}
