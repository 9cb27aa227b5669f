package xlstm.codegen.interp;

/** float64 reference definitions of the DSL builtins (the semantics every emitter must approximate). */
public final class MathRef {
    private MathRef() {}

    public static final double SELU_ALPHA = 1.6732632423543772848170429916717;
    public static final double SELU_SCALE = 1.0507009873554804934193349852946;

    public static double logsigmoid(double x) { return Math.min(x, 0) - Math.log1p(Math.exp(-Math.abs(x))); }

    public static double sigmoid(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }

    public static double silu(double x) { return x * sigmoid(x); }

    /** Exact GELU, x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)) (torch {@code approximate='none'}). */
    public static double gelu(double x) { return 0.5 * x * (1 + erf(x / Math.sqrt(2))); }

    public static double relu(double x) { return Math.max(x, 0); }

    public static double selu(double x) { return SELU_SCALE * (x > 0 ? x : SELU_ALPHA * Math.expm1(x)); }

    public static double rsqrt(double x) { return 1 / Math.sqrt(x); }

    /** 1 where x > 0, else 0 (also 0 at 0 and for NaN). */
    public static double heaviside(double x) { return x > 0 ? 1 : 0; }

    public static double softcap(double x, double cap) { return cap * Math.tanh(x / cap); }

    /**
     * erf to about 1e-15 relative: the everywhere-positive series
     * erf(x) = 2/sqrt(pi) exp(-x^2) sum_n 2^n x^(2n+1) / (1*3*...*(2n+1)), and +-1 beyond |x| = 6.
     */
    public static double erf(double x) {
        double ax = Math.abs(x);
        if (ax >= 6) return Math.signum(x);
        double term = ax, sum = ax, x2 = ax * ax;
        for (int n = 1; n < 500; n++) {
            term *= 2 * x2 / (2 * n + 1);
            sum += term;
            if (term < sum * 1e-17) break;
        }
        double r = 2 / Math.sqrt(Math.PI) * Math.exp(-x2) * sum;
        return x < 0 ? -r : r;
    }
}
