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
 * the error bounds are checked in VMathTest.
 */
public final class VMath {
    private static final float LOG2E = 1.44269504088896341f;
    /** ln 2 split so that n·LN2_HI is exact for the n that occur. */
    private static final float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    /** 1.5·2^23: x + ROUND - ROUND rounds x to an integer (|x| < 2^22). */
    private static final float ROUND = 12582912f;
    private static final float SQRT_HALF = 0.707106781186547524f;

    private VMath() {}

    /** p·x + c, one rounding. */
    private static FloatVector horner(FloatVector p, FloatVector x, float c) {
        return p.fma(x, FloatVector.broadcast(p.species(), c));
    }

    /** a·b + c, one rounding. */
    private static FloatVector fma(FloatVector a, float b, FloatVector c) {
        return a.fma(FloatVector.broadcast(a.species(), b), c);
    }

    /** e^x: x = n·ln 2 + r, |r| <= ln2/2, e^r by a polynomial, times 2^n in two steps (subnormal results too). */
    public static FloatVector exp(FloatVector x) {
        x = x.max(-104f).min(89f);                                   // beyond: 0 and +inf anyway; NaN stays
        FloatVector n = x.fma(LOG2E, ROUND).sub(ROUND);
        FloatVector r = fma(n, -LN2_HI, x);
        r = fma(n, -LN2_LO, r);
        FloatVector p = FloatVector.broadcast(x.species(), 1.9875691500E-4f);
        p = horner(p, r, 1.3981999507E-3f);
        p = horner(p, r, 8.3334519073E-3f);
        p = horner(p, r, 4.1665795894E-2f);
        p = horner(p, r, 1.6666665459E-1f);
        p = horner(p, r, 5.0000001201E-1f);
        FloatVector y = p.fma(r.mul(r), r).add(1f);
        IntVector ni = (IntVector) n.convert(VectorOperators.F2I, 0);
        IntVector n1 = ni.lanewise(VectorOperators.ASHR, 1), n2 = ni.sub(n1);   // each in [-75, 64]
        return y.mul(pow2(n1)).mul(pow2(n2));
    }

    /** 2^n for n in the normal exponent range. */
    private static FloatVector pow2(IntVector n) {
        return n.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
    }

    /** e^x - 1: a Taylor polynomial for |x| < 1/2 (no cancellation near 0), exp(x) - 1 beyond. */
    public static FloatVector expm1(FloatVector x) {
        FloatVector p = FloatVector.broadcast(x.species(), 1f / 40320f);
        p = horner(p, x, 1f / 5040f);
        p = horner(p, x, 1f / 720f);
        p = horner(p, x, 1f / 120f);
        p = horner(p, x, 1f / 24f);
        p = horner(p, x, 1f / 6f);
        p = horner(p, x, 0.5f);
        FloatVector small = p.fma(x.mul(x), x).blend(x, x.eq(0f));     // keeps the sign of -0
        return exp(x).sub(1f).blend(small, x.abs().lt(0.5f));
    }

    /** Natural log: x = m·2^e with m in [sqrt(1/2), sqrt 2), log(m) by a polynomial in m - 1. */
    public static FloatVector log(FloatVector x) {
        VectorMask<Float> sub = x.lt(Float.MIN_NORMAL);
        FloatVector xs = x.blend(x.mul(33554432f), sub);                  // subnormals times 2^25
        IntVector bits = xs.reinterpretAsInts();
        IntVector e = bits.lanewise(VectorOperators.LSHR, 23).sub(126)
                .sub(IntVector.zero(bits.species()).blend(25, sub.cast(bits.species())));
        FloatVector m = bits.and(0x007fffff).or(0x3f000000).reinterpretAsFloats();   // [0.5, 1)
        VectorMask<Float> lo = m.lt(SQRT_HALF);
        e = e.sub(IntVector.zero(bits.species()).blend(1, lo.cast(bits.species())));
        FloatVector f = m.sub(1f).blend(m.add(m).sub(1f), lo);
        FloatVector z = f.mul(f);
        FloatVector p = FloatVector.broadcast(x.species(), 7.0376836292E-2f);
        p = horner(p, f, -1.1514610310E-1f);
        p = horner(p, f, 1.1676998740E-1f);
        p = horner(p, f, -1.2420140846E-1f);
        p = horner(p, f, 1.4249322787E-1f);
        p = horner(p, f, -1.6668057665E-1f);
        p = horner(p, f, 2.0000714765E-1f);
        p = horner(p, f, -2.4999993993E-1f);
        p = horner(p, f, 3.3333331174E-1f);
        FloatVector fe = (FloatVector) e.convert(VectorOperators.I2F, 0);
        FloatVector y = p.mul(f).mul(z);
        y = fma(fe, LN2_LO, y);
        y = fma(z, -0.5f, y);
        FloatVector r = fma(fe, LN2_HI, f.add(y));
        r = r.blend(x, x.eq(Float.POSITIVE_INFINITY).or(x.test(VectorOperators.IS_NAN)));
        r = r.blend(Float.NEGATIVE_INFINITY, x.eq(0f));
        return r.blend(Float.NaN, x.lt(0f));
    }

    /** log(1 + x), with the rounding of 1 + x corrected: log(w) + (x - (w - 1))/w, w = 1 + x. */
    public static FloatVector log1p(FloatVector x) {
        FloatVector w = x.add(1f);
        FloatVector lw = log(w);
        FloatVector r = lw.add(x.sub(w.sub(1f)).div(w));
        r = r.blend(lw, w.eq(0f).or(w.eq(Float.POSITIVE_INFINITY)));     // where the correction is 0/0 or inf/inf
        return r.blend(x, x.eq(0f));                                        // keeps the sign of -0
    }

    /** tanh: an odd polynomial for |x| < 0.625, 1 - 2/(e^{2|x|} + 1) with x's sign beyond. */
    public static FloatVector tanh(FloatVector x) {
        FloatVector ax = x.abs();
        FloatVector z = x.mul(x);
        FloatVector p = FloatVector.broadcast(x.species(), -5.70498872745E-3f);
        p = horner(p, z, 2.06390887954E-2f);
        p = horner(p, z, -5.37397155531E-2f);
        p = horner(p, z, 1.33314422036E-1f);
        p = horner(p, z, -3.33332819422E-1f);
        FloatVector small = p.mul(z).fma(x, x).blend(x, x.eq(0f));     // keeps the sign of -0
        FloatVector big = FloatVector.broadcast(x.species(), 1f).sub(
                FloatVector.broadcast(x.species(), 2f).div(exp(ax.add(ax)).add(1f)));
        big = big.blend(big.neg(), x.lt(0f));
        return big.blend(small, ax.lt(0.625f));
    }
}
