package xlstm.training.model;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.function.DoubleSupplier;
import xlstm.runtime.tensor.Tensor;
import xlstm.training.Parameter;

/**
 * A whole model's gradient of one tensor against the central difference of its loss along a direction: the direction
 * mixes the normalised analytic gradient with a random unit vector, so a gradient that is wrong in sign, scale or
 * any part of its elements changes the comparison.
 */
final class DirectionalDerivative {
    private static final double STEP = 1e-3;

    private DirectionalDerivative() {}

    /** {@code grad} is the analytic gradient of {@code loss} with respect to {@code value} (changed and restored). */
    static void check(String what, Tensor value, Tensor grad, DoubleSupplier loss, Random rnd) {
        int n = Math.toIntExact(value.numel());
        float[] g = grad.toFloatArray(), v = value.toFloatArray();
        double gn = 0, rn = 0;
        double[] r = new double[n];
        for (int i = 0; i < n; i++) {
            gn += (double) g[i] * g[i];
            r[i] = rnd.nextGaussian();
            rn += r[i] * r[i];
        }
        gn = Math.sqrt(gn);
        rn = Math.sqrt(rn);
        double[] d = new double[n];
        double analytic = 0;
        for (int i = 0; i < n; i++) {
            d[i] = (gn > 0 ? g[i] / gn : 0) + r[i] / rn;
            analytic += g[i] * d[i];
        }
        double plus = shifted(value, v, d, STEP, loss), minus = shifted(value, v, d, -STEP, loss);
        for (int i = 0; i < n; i++) value.setFloat(i, v[i]);
        double numeric = (plus - minus) / (2 * STEP);
        double tol = 2e-3 + 2e-2 * Math.abs(analytic);
        assertTrue(Math.abs(numeric - analytic) <= tol,
                what + ": directional derivative analytic " + analytic + " numeric " + numeric + " (tolerance " + tol + ")");
    }

    static void check(Parameter p, DoubleSupplier loss, Random rnd) {
        check(p.name(), p.value(), p.grad(), loss, rnd);
    }

    private static double shifted(Tensor value, float[] v, double[] d, double h, DoubleSupplier loss) {
        for (int i = 0; i < v.length; i++) value.setFloat(i, (float) (v[i] + h * d[i]));
        return loss.getAsDouble();
    }
}
