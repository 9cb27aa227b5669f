package xlstm.codegen.autodiff;

import xlstm.codegen.interp.Interpreter;
import xlstm.dsl.ir.CellIR;
import xlstm.dsl.ir.Decl;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.DoubleSupplier;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Central finite differences in float64 against {@link ReferenceBackward}, for the loss
 * {@code L = sum(out * d<out>) + sum(final state * d<state>)} with random cotangents: every element of every input,
 * weight and initial state is perturbed.
 */
final class GradCheck {
    final CellIR fwd;
    final AdjointCell adj;
    final int B, NH, S;
    final Interpreter.Call call;
    final Map<String, double[]> x = new HashMap<>();
    final Map<String, double[]> cot = new HashMap<>();

    GradCheck(CellIR fwd, int B, int NH, int S, Interpreter.Call call, long seed, DoubleSupplier stateInit) {
        this.fwd = fwd;
        this.adj = Adjoint.derive(fwd);
        this.B = B;
        this.NH = NH;
        this.S = S;
        this.call = call;
        Random r = new Random(seed);
        for (Decl d : fwd.inputs()) x.put(d.name(), random(r, (long) B * NH * S * size(d)));
        for (Decl d : fwd.weights()) x.put(d.name(), random(r, (long) NH * size(d)));
        for (Decl d : fwd.states()) {
            double[] a = new double[B * NH * size(d)];
            for (int k = 0; k < a.length; k++) a[k] = stateInit.getAsDouble();
            x.put(d.name(), a);
        }
        for (Decl d : fwd.outputs()) cot.put(d.name(), random(r, (long) B * NH * S * size(d)));
        for (Decl d : fwd.states()) cot.put(d.name(), random(r, (long) B * NH * size(d)));
    }

    int size(Decl d) { return Interpreter.size(d.type(), call); }

    static double[] random(Random r, long n) {
        double[] a = new double[Math.toIntExact(n)];
        for (int k = 0; k < a.length; k++) a[k] = r.nextGaussian();
        return a;
    }

    double loss(Map<String, double[]> at) {
        Map<String, double[]> t = new HashMap<>();
        at.forEach((k, v) -> t.put(k, v.clone()));
        for (Decl d : fwd.outputs()) t.put(d.name(), new double[B * NH * S * size(d)]);
        Interpreter.sequence(fwd, B, NH, S, call, t);
        double l = 0;
        for (Decl d : fwd.outputs()) l += dot(t.get(d.name()), cot.get(d.name()));
        for (Decl d : fwd.states()) l += dot(t.get(d.name()), cot.get(d.name()));
        return l;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int k = 0; k < a.length; k++) s += a[k] * b[k];
        return s;
    }

    /** The analytic gradients by forward name (inputs, weights, initial states). */
    Map<String, double[]> analytic() {
        Map<String, double[]> t = new HashMap<>();
        x.forEach((k, v) -> t.put(k, v.clone()));
        for (Decl d : fwd.outputs()) t.put(AdjointCell.d(d.name()), cot.get(d.name()).clone());
        for (Decl d : fwd.states()) t.put(AdjointCell.d(d.name()), cot.get(d.name()).clone());
        for (Decl d : fwd.inputs()) t.put(AdjointCell.d(d.name()), new double[x.get(d.name()).length]);
        for (Decl d : fwd.weights()) t.put(AdjointCell.d(d.name()), new double[x.get(d.name()).length]);
        ReferenceBackward.sequence(adj, B, NH, S, call, t);
        Map<String, double[]> g = new HashMap<>();
        for (String n : x.keySet()) g.put(n, t.get(AdjointCell.d(n)));
        return g;
    }

    /** Largest |fd - analytic| over all elements, checked against {@code atol + rtol * max|analytic|} per tensor. */
    void check(double atol, double rtol, String... skip) {
        Map<String, double[]> g = analytic();
        double h = 1e-6;
        for (String n : x.keySet()) {
            if (java.util.Arrays.asList(skip).contains(n)) continue;
            double[] a = x.get(n), an = g.get(n);
            double maxRef = 0, maxErr = 0;
            for (double v : an) maxRef = Math.max(maxRef, Math.abs(v));
            for (int k = 0; k < a.length; k++) {
                double keep = a[k];
                a[k] = keep + h;
                double lp = loss(x);
                a[k] = keep - h;
                double lm = loss(x);
                a[k] = keep;
                maxErr = Math.max(maxErr, Math.abs((lp - lm) / (2 * h) - an[k]));
            }
            double tol = atol + rtol * maxRef;
            assertTrue(maxErr <= tol, fwd.name() + ": d" + n + " max|fd - analytic| = " + maxErr + " > " + tol
                    + " (max|analytic| = " + maxRef + ")");
        }
    }
}
