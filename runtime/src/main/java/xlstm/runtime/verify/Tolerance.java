package xlstm.runtime.verify;

/**
 * The pass rule of the fixtures: a tensor passes when {@code max|out - ref| <= atol + rtol * max|ref|}.
 * {@link #EXACT} is for token ids: every element equal.
 */
public record Tolerance(double rtol, double atol) {
    public static final Tolerance EXACT = new Tolerance(0, 0);

    /** The largest allowed absolute error for a reference whose largest magnitude is {@code maxAbsRef}. */
    public double limit(double maxAbsRef) {
        return atol + rtol * maxAbsRef;
    }
}
