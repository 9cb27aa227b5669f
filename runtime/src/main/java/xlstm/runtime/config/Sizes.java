package xlstm.runtime.config;

/** Size rules of the reference configs, with Python's float semantics. */
public final class Sizes {
    private Sizes() {}

    /**
     * {@code UpProjConfigMixin._set_proj_up_dim}: {@code ceil(proj_factor·E / multiple)·multiple} when rounding
     * up, {@code floor(...)·multiple} otherwise (true division, then ceil/floor, as Python does).
     */
    public static int projUpDim(double projFactor, int embeddingDim, boolean roundUp, int multipleOf) {
        double multiplier = projFactor * embeddingDim / multipleOf;
        double rounded = roundUp ? Math.ceil(multiplier) : Math.floor(multiplier);
        return Math.toIntExact((long) rounded * multipleOf);
    }

    /**
     * {@code xlstm_large.utils.round_up_to_next_multiple_of(x, m) = int(((x + m - 1) // m) * m)} for a float
     * {@code x}: Python float floor division, then truncation to int.
     */
    public static int roundUpToNextMultipleOf(double x, int multipleOf) {
        double q = pythonFloorDiv(x + multipleOf - 1, multipleOf);
        return Math.toIntExact((long) (q * multipleOf));
    }

    /** Python's {@code a // b} for floats (CPython {@code float_floor_div}). */
    public static double pythonFloorDiv(double vx, double wx) {
        if (wx == 0) throw new ArithmeticException("float floor division by zero");
        double mod = vx % wx; // C fmod semantics
        double div = (vx - mod) / wx;
        if (mod != 0) {
            if ((wx < 0) != (mod < 0)) {
                div -= 1.0;
            }
        }
        double floordiv;
        if (div != 0) {
            floordiv = Math.floor(div);
            if (div - floordiv > 0.5) floordiv += 1.0;
        } else {
            floordiv = Math.copySign(0.0, vx / wx);
        }
        return floordiv;
    }

    /** Python's {@code int(E * factor)} (truncation toward zero). */
    public static int scaledDim(int dim, double factor) {
        return Math.toIntExact((long) (dim * factor));
    }
}
