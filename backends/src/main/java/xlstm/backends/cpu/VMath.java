package xlstm.backends.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Lane-wise exp, expm1, log, log1p and tanh built only from exactly rounded operations (add, mul, fma, div,
 * compares, integer bit work), so each lane's result is the same bits interpreted and C2-compiled. The Vector API's
 * own {@code lanewise(EXP)}, {@code TANH}, ... are computed through {@code Math} lane by lane when interpreted and by
 * a native library (SVML on x86) once compiled; the two differ in the last bit of about 1 % of lanes, which made
 * kernels' results depend on how warm the JIT is. The polynomials are Cephes' single-precision ones (S. Moshier);
 * tanh is Eigen's rational approximation; the error bounds are checked in VMathTest.
 *
 * <p>Every method is kept under C2's {@code MaxInlineSize} (35 bytes of bytecode), so that it is inlined even at a
 * call site C2 deems cold: a vector that crosses a call C2 did not inline is boxed, which allocates (the Vector API's
 * own operators are force-inlined; ours cannot be).
 */
public final class VMath {
    private static final float LOG2E = 1.44269504088896341f;
    /** ln 2 split so that n·LN2_HI is exact for the n that occur. */
    private static final float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    /** 1.5·2^23: x + ROUND - ROUND rounds x to an integer (|x| < 2^22). */
    private static final float ROUND = 12582912f;
    private static final float SQRT_HALF = 0.707106781186547524f;
    private static final float INF = Float.POSITIVE_INFINITY;

    private VMath() {}

    // ------------------------------------------------------------------ exp

    /** e^x: x = n·ln 2 + r, |r| <= ln2/2, e^r by a polynomial, times 2^n in two steps (subnormal results too). */
    public static FloatVector exp(FloatVector x) {
        return expInRange(x.max(-104f).min(89f));                   // beyond: 0 and +inf anyway; NaN stays
    }

    private static FloatVector expInRange(FloatVector x) {
        FloatVector n = x.fma(LOG2E, ROUND).sub(ROUND);
        return scale(expPoly(fma(n, -LN2_LO, fma(n, -LN2_HI, x))), n);
    }

    /** e^r for |r| <= ln2/2. */
    private static FloatVector expPoly(FloatVector r) {
        FloatVector p = horner(horner(expPolyHi(r), r, 1.6666665459E-1f), r, 5.0000001201E-1f);
        return p.fma(r.mul(r), r).add(1f);
    }

    private static FloatVector expPolyHi(FloatVector r) {
        return horner(horner(start(r, 1.9875691500E-4f, 1.3981999507E-3f), r, 8.3334519073E-3f), r, 4.1665795894E-2f);
    }

    /** y·2^n for integer-valued n in [-150, 128], as two factors in the normal range. */
    private static FloatVector scale(FloatVector y, FloatVector n) {
        IntVector ni = (IntVector) n.convert(VectorOperators.F2I, 0);
        return scale(y, ni, ni.lanewise(VectorOperators.ASHR, 1));
    }

    private static FloatVector scale(FloatVector y, IntVector n, IntVector n1) {
        return y.mul(pow2(n1)).mul(pow2(n.sub(n1)));
    }

    /** 2^n for n in the normal exponent range. */
    private static FloatVector pow2(IntVector n) {
        return n.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
    }

    // ------------------------------------------------------------------ expm1

    /** e^x - 1: a Taylor polynomial for |x| < 1/2 (no cancellation near 0), exp(x) - 1 beyond. */
    public static FloatVector expm1(FloatVector x) {
        return exp(x).sub(1f).blend(expm1Small(x), x.abs().lt(0.5f));
    }

    private static FloatVector expm1Small(FloatVector x) {
        return keepZero(expm1Poly(x).fma(x.mul(x), x), x);
    }

    /** (e^x - 1 - x)/x², to the x^6 term. */
    private static FloatVector expm1Poly(FloatVector x) {
        return horner(horner(horner(expm1PolyHi(x), x, 1f / 24f), x, 1f / 6f), x, 0.5f);
    }

    private static FloatVector expm1PolyHi(FloatVector x) {
        return horner(horner(start(x, 1f / 40320f, 1f / 5040f), x, 1f / 720f), x, 1f / 120f);
    }

    // ------------------------------------------------------------------ log, log1p

    /** Natural log: x = m·2^e with m in [sqrt(1/2), sqrt 2), log(m) by a polynomial in m - 1. */
    public static FloatVector log(FloatVector x) {
        VectorMask<Float> sub = x.lt(Float.MIN_NORMAL);
        return logSpecial(logNormal(x.blend(x.mul(33554432f), sub), sub), x);   // subnormals times 2^25
    }

    /** log(x) where the finite formula does not apply: +inf and NaN stay, 0 gives -inf, x < 0 NaN. */
    private static FloatVector logSpecial(FloatVector r, FloatVector x) {
        return logNonPositive(r.blend(x, x.eq(INF).or(x.test(VectorOperators.IS_NAN))), x);
    }

    private static FloatVector logNonPositive(FloatVector r, FloatVector x) {
        return r.blend(Float.NEGATIVE_INFINITY, x.eq(0f)).blend(Float.NaN, x.lt(0f));
    }

    /** log of normal xs, less 25·ln 2 where {@code sub}. */
    private static FloatVector logNormal(FloatVector xs, VectorMask<Float> sub) {
        IntVector bits = xs.reinterpretAsInts();
        return logMantissa(mantissa(bits), exponent(bits).sub(zero(xs).blend(25f, sub)));
    }

    /** m in [0.5, 1) of x = m·2^e. */
    private static FloatVector mantissa(IntVector bits) {
        return bits.and(0x007fffff).or(0x3f000000).reinterpretAsFloats();
    }

    /** e of x = m·2^e, m in [0.5, 1), as a float. */
    private static FloatVector exponent(IntVector bits) {
        return (FloatVector) bits.lanewise(VectorOperators.LSHR, 23).sub(126).convert(VectorOperators.I2F, 0);
    }

    /** log(m·2^e): m below sqrt(1/2) is doubled (and e lowered) so that f = m - 1 is small. */
    private static FloatVector logMantissa(FloatVector m, FloatVector e) {
        return logSmall(m.sub(1f).blend(m.add(m).sub(1f), m.lt(SQRT_HALF)), e.sub(oneBelowSqrtHalf(m)));
    }

    private static FloatVector oneBelowSqrtHalf(FloatVector m) {
        return zero(m).blend(1f, m.lt(SQRT_HALF));
    }

    /** log(1 + f) + e·ln 2 for |f| < 0.42. */
    private static FloatVector logSmall(FloatVector f, FloatVector e) {
        FloatVector z = f.mul(f);
        return logSum(f, e, z, logPoly(f).mul(f).mul(z));
    }

    private static FloatVector logSum(FloatVector f, FloatVector e, FloatVector z, FloatVector y) {
        return fma(e, LN2_HI, f.add(fma(z, -0.5f, fma(e, LN2_LO, y))));
    }

    private static FloatVector logPoly(FloatVector f) {
        return horner(horner(horner(horner(logPolyHi(f), f, -1.6668057665E-1f), f, 2.0000714765E-1f),
                f, -2.4999993993E-1f), f, 3.3333331174E-1f);
    }

    private static FloatVector logPolyHi(FloatVector f) {
        return horner(horner(horner(start(f, 7.0376836292E-2f, -1.1514610310E-1f), f, 1.1676998740E-1f),
                f, -1.2420140846E-1f), f, 1.4249322787E-1f);
    }

    /** log(1 + x), with the rounding of 1 + x corrected: log(w) + (x - (w - 1))/w, w = 1 + x. */
    public static FloatVector log1p(FloatVector x) {
        return log1p(x, x.add(1f));
    }

    private static FloatVector log1p(FloatVector x, FloatVector w) {
        FloatVector lw = log(w);
        return keepZero(log1pEdges(lw.add(x.sub(w.sub(1f)).div(w)), lw, w), x);
    }

    /** Where the correction is 0/0 or inf/inf: log(w) alone. */
    private static FloatVector log1pEdges(FloatVector r, FloatVector lw, FloatVector w) {
        return r.blend(lw, w.eq(0f).or(w.eq(INF)));
    }

    // ------------------------------------------------------------------ tanh

    /** Beyond this |x|, tanh(x) rounds to ±1 in float. */
    private static final float TANH_CLAMP = 7.90531110763549805f;

    /**
     * tanh: one rational function x·p(x²)/q(x²) on the clamped range (the approximation Eigen and XLA use; no exp,
     * so that a kernel with a softcap stays small enough for C2 to inline it whole), x itself where |x| < 0.0004.
     */
    public static FloatVector tanh(FloatVector x) {
        return tanhRational(x.max(-TANH_CLAMP).min(TANH_CLAMP)).blend(x, x.abs().lt(0.0004f));
    }

    private static FloatVector tanhRational(FloatVector x) {
        FloatVector z = x.mul(x);
        return tanhNum(z).mul(x).div(tanhDen(z));
    }

    private static FloatVector tanhNum(FloatVector z) {
        return horner(horner(horner(tanhNumHigh(z), z, 1.48572235717979e-05f), z, 6.37261928875436e-04f), z,
                4.89352455891786e-03f);
    }

    private static FloatVector tanhNumHigh(FloatVector z) {
        return horner(horner(start(z, -2.76076847742355e-16f, 2.00018790482477e-13f), z, -8.60467152213735e-11f), z,
                5.12229709037114e-08f);
    }

    private static FloatVector tanhDen(FloatVector z) {
        return horner(horner(start(z, 1.19825839466702e-06f, 1.18534705686654e-04f), z, 2.26843463243900e-03f), z,
                4.89352518554385e-03f);
    }

    // ------------------------------------------------------------------ pieces

    /** c0·x + c1, the first step of a Horner scheme. */
    private static FloatVector start(FloatVector x, float c0, float c1) {
        return horner(x.broadcast(c0), x, c1);
    }

    /** p·x + c, one rounding. */
    private static FloatVector horner(FloatVector p, FloatVector x, float c) {
        return p.fma(x, p.broadcast(c));
    }

    /** a·b + c, one rounding. */
    private static FloatVector fma(FloatVector a, float b, FloatVector c) {
        return a.fma(a.broadcast(b), c);
    }

    private static FloatVector zero(FloatVector like) {
        return like.broadcast(0f);
    }

    /** r, except x where x is ±0 (so that the sign of -0 is kept). */
    private static FloatVector keepZero(FloatVector r, FloatVector x) {
        return r.blend(x, x.eq(0f));
    }
}
