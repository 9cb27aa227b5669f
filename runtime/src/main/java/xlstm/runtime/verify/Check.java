package xlstm.runtime.verify;

import java.util.Locale;

/**
 * One compared tensor of one case. {@code tensor} names what was compared, with the schedule or path in
 * brackets when a case checks the same reference several ways ({@code h[chunkwise:16]}). {@code detail} is
 * context for a reader of a failure (where the worst element is, a shape mismatch); empty when there is none.
 */
public record Check(String caseName, String tensor, double maxAbsErr, double tol, String detail) {
    public Check {
        detail = detail == null ? "" : detail;
    }

    /** {@code max|out-ref| <= tol}; a NaN error fails, an impossible comparison has an infinite error. */
    public boolean passed() {
        return maxAbsErr <= tol;
    }

    /** {@code PASS|FAIL <case> <tensor> max_abs_err=<e> tol=<t>}, then the detail in parentheses, if any. */
    public String line() {
        String s = String.format(Locale.ROOT, "%s %s %s max_abs_err=%s tol=%s", passed() ? "PASS" : "FAIL",
                caseName, tensor, fmt(maxAbsErr), fmt(tol));
        return detail.isEmpty() ? s : s + " (" + detail + ")";
    }

    private static String fmt(double v) {
        if (v == 0) return "0";
        if (Double.isNaN(v) || Double.isInfinite(v)) return String.valueOf(v);
        return String.format(Locale.ROOT, "%.3e", v);
    }
}
