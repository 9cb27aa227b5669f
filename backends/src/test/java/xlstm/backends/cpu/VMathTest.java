package xlstm.backends.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/** {@link VMath} against {@code Math} in double precision: within a few ulp everywhere, and the special values. */
class VMathTest {
    /** Cephes' single-precision functions are within about 1 ulp on their main ranges; exp(x) - 1, log(w) + ... add one. */
    static final double MAX_ULP = 2.0;
    /** tanh is one rational approximation over the whole range (Eigen's): 4.3 ulp at worst on these inputs. */
    static final double TANH_MAX_ULP = 5.0;

    static float[] apply(UnaryOperator<FloatVector> f, float[] x) {
        float[] y = new float[x.length];
        float[] pad = new float[Simd.L];
        for (int i = 0; i < x.length; i += Simd.L) {
            int n = Math.min(Simd.L, x.length - i);
            java.util.Arrays.fill(pad, 0f);
            System.arraycopy(x, i, pad, 0, n);
            float[] out = f.apply(FloatVector.fromArray(Simd.F, pad, 0)).toArray();
            System.arraycopy(out, 0, y, i, n);
        }
        return y;
    }

    /** The largest error in ulps of the correctly rounded result over x. */
    static double maxUlp(UnaryOperator<FloatVector> f, DoubleUnaryOperator ref, float[] x) {
        float[] y = apply(f, x);
        double worst = 0;
        for (int i = 0; i < x.length; i++) {
            double r = ref.applyAsDouble(x[i]);
            float rf = (float) r;
            if (Float.isInfinite(rf)) {
                assertEquals(rf, y[i], "at x = " + x[i]);
                continue;
            }
            worst = Math.max(worst, Math.abs(y[i] - r) / Math.ulp(rf));
        }
        return worst;
    }

    static float[] uniform(long seed, int n, double lo, double hi) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (lo + (hi - lo) * r.nextDouble());
        return x;
    }

    /** Positive floats of every exponent (subnormals included), from random bit patterns. */
    static float[] positives(long seed, int n) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = Float.intBitsToFloat(1 + r.nextInt(0x7f7fffff));
        return x;
    }

    static void check(String name, UnaryOperator<FloatVector> f, DoubleUnaryOperator ref, float[]... sets) {
        check(name, MAX_ULP, f, ref, sets);
    }

    static void check(String name, double bound, UnaryOperator<FloatVector> f, DoubleUnaryOperator ref, float[]... sets) {
        for (float[] x : sets) {
            double u = maxUlp(f, ref, x);
            System.out.printf("%s: max %.3f ulp over %d values%n", name, u, x.length);
            assertTrue(u <= bound, name + ": " + u + " ulp");
        }
    }

    @Test
    void exp() {
        check("exp", VMath::exp, Math::exp, uniform(1, 200_000, -104, 89), uniform(2, 20_000, -1, 1),
                uniform(3, 20_000, -1e-6, 1e-6));
    }

    @Test
    void expm1() {
        check("expm1", VMath::expm1, Math::expm1, uniform(4, 200_000, -20, 20), uniform(5, 50_000, -0.6, 0.6),
                uniform(6, 20_000, -1e-5, 1e-5));
    }

    @Test
    void log() {
        check("log", VMath::log, Math::log, positives(7, 200_000), uniform(8, 50_000, 0.5, 2));
    }

    @Test
    void log1p() {
        check("log1p", VMath::log1p, Math::log1p, uniform(9, 200_000, -0.999, 10), uniform(10, 50_000, -1e-4, 1e-4),
                positives(11, 50_000));
    }

    @Test
    void tanh() {
        check("tanh", TANH_MAX_ULP, VMath::tanh, Math::tanh, uniform(12, 200_000, -12, 12), uniform(13, 50_000, -1, 1),
                uniform(14, 20_000, -1e-5, 1e-5));
    }

    @Test
    void specialValues() {
        float inf = Float.POSITIVE_INFINITY, nan = Float.NaN;
        float[] x = {0f, -0f, inf, -inf, nan, -1f, 1f, Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE};
        float[][] got = {apply(VMath::exp, x), apply(VMath::expm1, x), apply(VMath::log, x), apply(VMath::log1p, x),
                apply(VMath::tanh, x)};
        DoubleUnaryOperator[] ref = {Math::exp, Math::expm1, Math::log, Math::log1p, Math::tanh};
        for (int f = 0; f < ref.length; f++) {
            for (int i = 0; i < x.length; i++) {
                float want = (float) ref[f].applyAsDouble(x[i]);
                if (Float.isNaN(want) || Float.isInfinite(want) || want == 0f) {
                    assertEquals(want, got[f][i], "function " + f + " at " + x[i]);   // NaN, ±inf and the sign of 0
                } else {
                    double bound = f == 4 ? TANH_MAX_ULP : MAX_ULP;
                    assertTrue(Math.abs(got[f][i] - want) <= bound * Math.ulp(want), "function " + f + " at " + x[i]);
                }
            }
        }
    }
}
