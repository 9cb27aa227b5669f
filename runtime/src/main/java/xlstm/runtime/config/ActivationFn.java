package xlstm.runtime.config;

/**
 * The activation functions of the original architecture's gated feed-forward ({@code act_fn}), by their
 * config names: {@code gelu} (exact, erf based), {@code relu}, {@code relu^2}, {@code sigmoid},
 * {@code swish} (SiLU) and {@code selu}.
 */
public enum ActivationFn {
    GELU("gelu"),
    RELU("relu"),
    RELU_SQUARED("relu^2"),
    SIGMOID("sigmoid"),
    SWISH("swish"),
    SELU("selu");

    private static final double SELU_ALPHA = 1.6732632423543772848170429916717;
    private static final double SELU_SCALE = 1.0507009873554804934193349852946;

    private final String configName;

    ActivationFn(String configName) { this.configName = configName; }

    /** The name used in configs ({@code "relu^2"}, ...). */
    public String configName() { return configName; }

    /** All config names, in declaration order. */
    public static String[] configNames() {
        ActivationFn[] v = values();
        String[] out = new String[v.length];
        for (int i = 0; i < v.length; i++) out[i] = v[i].configName;
        return out;
    }

    /** Parses a config name; throws a {@link ConfigError} for {@code option} when unknown. */
    public static ActivationFn fromConfig(String name, String option) {
        for (ActivationFn a : values()) if (a.configName.equals(name)) return a;
        throw ConfigError.invalid(option, name, "one of " + String.join(", ", configNames()));
    }

    /** The activation of one value, computed in double and rounded to float. */
    public float apply(float x) {
        return (float) apply((double) x);
    }

    public double apply(double x) {
        return switch (this) {
            case GELU -> 0.5 * x * (1.0 + erf(x / Math.sqrt(2.0)));
            case RELU -> Math.max(x, 0.0);
            case RELU_SQUARED -> { double r = Math.max(x, 0.0); yield r * r; }
            case SIGMOID -> 1.0 / (1.0 + Math.exp(-x));
            case SWISH -> x / (1.0 + Math.exp(-x));
            case SELU -> SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x));
        };
    }

    /** The derivative d act(x) / dx (for training code). */
    public double derivative(double x) {
        return switch (this) {
            case GELU -> 0.5 * (1.0 + erf(x / Math.sqrt(2.0))) + x * Math.exp(-0.5 * x * x) / Math.sqrt(2.0 * Math.PI);
            case RELU -> x > 0 ? 1.0 : 0.0;
            case RELU_SQUARED -> x > 0 ? 2.0 * x : 0.0;
            case SIGMOID -> { double s = 1.0 / (1.0 + Math.exp(-x)); yield s * (1.0 - s); }
            case SWISH -> { double s = 1.0 / (1.0 + Math.exp(-x)); yield s * (1.0 + x * (1.0 - s)); }
            case SELU -> x > 0 ? SELU_SCALE : SELU_SCALE * SELU_ALPHA * Math.exp(x);
        };
    }

    /**
     * The error function to double precision (W. J. Cody's rational approximations, as used by most libm
     * implementations): relative error below 1e-15 over the whole real line.
     */
    public static double erf(double x) {
        double ax = Math.abs(x);
        double r;
        if (ax < 0.46875) {
            double t = x * x;
            double num = (((1.85777706184603153e-1 * t + 3.16112374387056560e0) * t + 1.13864154151050156e2) * t
                    + 3.77485237685302021e2) * t + 3.20937758913846947e3;
            double den = (((t + 2.36012909523441209e1) * t + 2.44024637934444173e2) * t + 1.28261652607737228e3) * t
                    + 2.84423683343917062e3;
            return x * num / den;
        } else if (ax < 4.0) {
            double num = (((((((2.15311535474403846e-8 * ax + 5.64188496988670089e-1) * ax + 8.88314979438837594e0) * ax
                    + 6.61191906371416295e1) * ax + 2.98635138197400131e2) * ax + 8.81952221241769090e2) * ax
                    + 1.71204761263407058e3) * ax + 2.05107837782607147e3) * ax + 1.23033935479799725e3;
            double den = (((((((ax + 1.57449261107098347e1) * ax + 1.17693950891312499e2) * ax + 5.37181101862009858e2) * ax
                    + 1.62138957456669019e3) * ax + 3.29079923573345963e3) * ax + 4.36261909014324716e3) * ax
                    + 3.43936767414372164e3) * ax + 1.23033935480374942e3;
            r = Math.exp(-ax * ax) * num / den;
        } else {
            double z = 1.0 / (ax * ax);
            double num = ((((1.63153871373020978e-2 * z + 3.05326634961232344e-1) * z + 3.60344899949804439e-1) * z
                    + 1.25781726111229246e-1) * z + 1.60837851487422766e-2) * z + 6.58749161529837803e-4;
            double den = ((((z + 2.56852019228982242e0) * z + 1.87295284992346725e0) * z + 5.27905102951428412e-1) * z
                    + 6.05183413124413191e-2) * z + 2.33520497626869185e-3;
            r = (1.0 / Math.sqrt(Math.PI) - z * num / den) / ax;
            r = Math.exp(-ax * ax) * r;
        }
        return x < 0 ? r - 1.0 : 1.0 - r;
    }
}
