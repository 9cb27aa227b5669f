package xlstm.training.autograd;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.function.BiFunction;
import xlstm.runtime.tensor.Tensor;

/**
 * Checks an op's backward against central finite differences of {@code L = Σ out·r} (r random, L summed in double):
 * for every input, the analytic gradient and the numeric one must agree to {@code 1e-3 + 1e-2·max|analytic|} at
 * every checked element (all elements of small inputs, an even sample of larger ones).
 */
final class FiniteDifferences {
    private static final double STEP = 1e-3;
    private static final int MAX_CHECKED = 64;

    private FiniteDifferences() {}

    static Tensor random(Random rnd, double scale, long... shape) {
        float[] v = new float[Math.toIntExact(Tensor.count(shape))];
        for (int i = 0; i < v.length; i++) v[i] = (float) (rnd.nextGaussian() * scale);
        return Tensor.of(v, shape);
    }

    /** {@code f} builds the op's output from input nodes on a tape. */
    static void check(String what, BiFunction<Tape, Var[], Var> f, Tensor... inputs) {
        Random rnd = new Random(what.hashCode());
        Var[] vars = new Var[inputs.length];
        for (int i = 0; i < inputs.length; i++) vars[i] = new Var(inputs[i].copy());
        Tape tape = new Tape(true);
        Var out = f.apply(tape, vars);
        float[] r = random(rnd, 1.0, out.shape()).toFloatArray();
        tape.backward(out, r);
        for (int in = 0; in < inputs.length; in++) {
            final int which = in;
            float[] ana = vars[in].grad();
            double maxAna = 0;
            for (float a : ana) maxAna = Math.max(maxAna, Math.abs(a));
            int n = ana.length, stride = Math.max(1, n / MAX_CHECKED);
            double worst = 0;
            int worstAt = -1;
            double worstNum = 0;
            for (int e = 0; e < n; e += stride) {
                double num = (loss(f, inputs, in, e, STEP, r) - loss(f, inputs, in, e, -STEP, r)) / (2 * STEP);
                double err = Math.abs(num - ana[e]);
                if (err > worst) {
                    worst = err;
                    worstAt = e;
                    worstNum = num;
                }
            }
            double tol = 1e-3 + 1e-2 * maxAna;
            final double w = worst;
            final int at = worstAt;
            final double wn = worstNum;
            assertTrue(w <= tol, () -> what + ": input " + which + " gradient at element " + at + " analytic " + ana[at]
                    + " numeric " + wn + " (error " + w + " > " + tol + ")");
        }
    }

    private static double loss(BiFunction<Tape, Var[], Var> f, Tensor[] inputs, int which, int elem, double h, float[] r) {
        Var[] vars = new Var[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            Tensor t = inputs[i].copy();
            if (i == which) t.setFloat(elem, (float) (t.getFloat(elem) + h));
            vars[i] = new Var(t);
        }
        float[] out = f.apply(new Tape(false), vars).value().toFloatArray();
        double l = 0;
        for (int i = 0; i < out.length; i++) l += (double) out[i] * r[i];
        return l;
    }
}
