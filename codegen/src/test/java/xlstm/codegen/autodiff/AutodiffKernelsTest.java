package xlstm.codegen.autodiff;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import xlstm.codegen.interp.Interpreter;
import xlstm.dsl.Dsl;
import xlstm.dsl.ir.CellIR;
import xlstm.dsl.ir.Decl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The adjoints of the project's pointwise kernels against central finite differences through the interpreter. */
class AutodiffKernelsTest {
    static List<CellIR> kernels() throws IOException {
        Path p = Path.of("..", "generated", "src", "main", "xlstm", "blocks", "pointwise.xl");
        return Dsl.compile("pointwise.xl", Files.readString(p)).units();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kernels")
    void kernelAgainstFiniteDifferences(CellIR k) {
        int rows = 3;
        Interpreter.Call call = new Interpreter.Call(Map.of("N", 4), Map.of());
        AdjointCell adj = Adjoint.derive(k);
        Random r = new Random(k.name().hashCode());
        Map<String, double[]> x = new HashMap<>();
        for (Decl d : k.inputs()) x.put(d.name(), GradCheck.random(r, rows * 4L));
        for (Decl d : k.weights()) x.put(d.name(), GradCheck.random(r, 4));
        Map<String, double[]> cot = new HashMap<>();
        for (Decl d : k.outputs()) cot.put(d.name(), GradCheck.random(r, rows * 4L));

        Map<String, double[]> t = new HashMap<>(x);
        for (Decl d : k.outputs()) t.put(AdjointCell.d(d.name()), cot.get(d.name()));
        for (String n : x.keySet()) t.put(AdjointCell.d(n), new double[x.get(n).length]);
        ReferenceBackward.kernel(adj, rows, call, t);

        double h = 1e-6;
        for (String n : x.keySet()) {
            double[] a = x.get(n), an = t.get(AdjointCell.d(n));
            double maxRef = 0, maxErr = 0;
            for (double v : an) maxRef = Math.max(maxRef, Math.abs(v));
            for (int e = 0; e < a.length; e++) {
                double keep = a[e];
                a[e] = keep + h;
                double lp = loss(k, rows, call, x, cot);
                a[e] = keep - h;
                double lm = loss(k, rows, call, x, cot);
                a[e] = keep;
                maxErr = Math.max(maxErr, Math.abs((lp - lm) / (2 * h) - an[e]));
            }
            assertTrue(maxRef > 0, k.name() + ": d" + n + " is all zero");
            assertTrue(maxErr <= 1e-7 + 1e-6 * maxRef, k.name() + ": d" + n + " max|fd - analytic| = " + maxErr);
        }
    }

    static double loss(CellIR k, int rows, Interpreter.Call call, Map<String, double[]> x, Map<String, double[]> cot) {
        Map<String, double[]> t = new HashMap<>();
        x.forEach((n, v) -> t.put(n, v.clone()));
        for (Decl d : k.outputs()) t.put(d.name(), new double[rows * 4]);
        Interpreter.kernel(k, rows, call, t);
        double l = 0;
        for (Decl d : k.outputs()) l += GradCheck.dot(t.get(d.name()), cot.get(d.name()));
        return l;
    }
}
