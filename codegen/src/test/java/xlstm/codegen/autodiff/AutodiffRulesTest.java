package xlstm.codegen.autodiff;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import xlstm.codegen.interp.Interpreter;
import xlstm.dsl.Dsl;
import xlstm.dsl.ir.CellIR;
import xlstm.dsl.ir.IrException;

import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One differentiation rule at a time: a small cell whose output is the expression under test (on top of a state
 * update, so that cotangents also flow through time), checked against central finite differences.
 */
class AutodiffRulesTest {
    static CellIR cell(String output) {
        return Dsl.compile("rule.xl", """
                cell t(D) {
                  input  x: vec[D], y: vec[D], s: scalar
                  weight W: mat[D, D], w: vec[D]
                  state  c: vec[D] = 0, a: scalar = 0
                  output h: vec[D]
                  param  p = 0.7
                  step {
                    c' = tanh(c) * y + x
                    a' = 0.5 * a + s
                    h  = %s
                  }
                }
                """.formatted(output)).units().getFirst();
    }

    static final Interpreter.Call CALL = new Interpreter.Call(Map.of("D", 3), Map.of());

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "exp(x)", "log(x * x + 0.5)", "logsigmoid(x)", "sigmoid(x)", "tanh(x)", "silu(x)", "gelu(x)", "relu(x)",
            "selu(x)", "abs(x)", "sqrt(x * x + 0.5)", "rsqrt(x * x + 0.5)", "heaviside(x) * y + x",
            "max(x, y)", "min(x, s)", "max(s, w) * y", "min(x, 0.25)", "max(abs(s), exp(-a)) * y",
            "softcap(x, s * s + 1)", "softcap(x, 2)",
            "x * dot(x, y)", "matvec(outer(x, y), w)", "matvec(W, x)", "matvec(x, W)", "sum(outer(x, y)) * y",
            "sum(x) + y", "sum(s) * x",
            "where(s > 0, x, y)", "where(s > 0, s, y)", "where(s > 0 && a < 1, a * x, y)",
            "x / (s * s + 1)", "s / (x * x + 1)", "-x + y - s", "x * s * p", "c' * c + a' * x", "x * rsqrt(D)"})
    void ruleAgainstFiniteDifferences(String expr) {
        Random r = new Random(expr.hashCode());
        new GradCheck(cell(expr), 2, 2, 3, CALL, expr.length(), r::nextGaussian).check(1e-7, 1e-6);
    }

    @Test
    void allZeroRoutesWithoutGradientToItsCondition() {
        // from zero states the first step sees all_zero(c); perturbing c there would flip it, so c is not perturbed
        CellIR c = cell("where(all_zero(c), x, y * c')");
        new GradCheck(c, 2, 2, 3, CALL, 1, () -> 0).check(1e-7, 1e-6, "c");
        Random r = new Random(2);
        new GradCheck(c, 2, 2, 3, CALL, 3, r::nextGaussian).check(1e-7, 1e-6);
    }

    @Test
    void boolParamSelectsTheDifferentiatedBranch() {
        CellIR c = Dsl.compile("b.xl", """
                cell b(D) {
                  input  x: vec[D]
                  output h: vec[D]
                  param  on: bool = true
                  step { h = where(on, exp(x), x * x) }
                }
                """).units().getFirst();
        for (boolean on : new boolean[]{true, false})
            new GradCheck(c, 1, 2, 2, new Interpreter.Call(Map.of("D", 3), Map.of("on", on)), 4, () -> 0).check(1e-7, 1e-6);
    }

    @Test
    void scalarCotangentOfAProductWithoutAnotherValueOfItsType() {
        // sum() hands outer() a scalar cotangent; no declaration is a mat here, so it is spread over the product
        CellIR c = Dsl.compile("o.xl", """
                cell o(P, Q) {
                  input  x: vec[P], y: vec[Q]
                  output h: vec[Q]
                  step { h = sum(outer(x, y)) * y }
                }
                """).units().getFirst();
        Random r = new Random(5);
        new GradCheck(c, 1, 2, 2, new Interpreter.Call(Map.of("P", 2, "Q", 3), Map.of()), 6, r::nextGaussian).check(1e-7, 1e-6);
    }

    @Test
    void aStateTheStepDoesNotUpdateKeepsItsCotangent() {
        // the DSL wants every next value; the IR allows leaving one out (the state keeps its value)
        CellIR written = Dsl.compile("k.xl", """
                cell k(D) {
                  input  x: vec[D]
                  state  bias: vec[D] = 0, c: vec[D] = 0
                  output h: vec[D]
                  step {
                    bias' = bias
                    c' = tanh(c + x * bias)
                    h  = c' * bias
                  }
                }
                """).units().getFirst();
        CellIR c = written.withBody(written.body().subList(1, written.body().size()));
        Random r = new Random(8);
        new GradCheck(c, 2, 1, 3, new Interpreter.Call(Map.of("D", 3), Map.of()), 9, r::nextGaussian).check(1e-7, 1e-6);
    }

    @Test
    void cotangentNamesMayNotClashWithTheCell() {
        IrException e = assertThrows(IrException.class, () -> Adjoint.derive(Dsl.compile("c.xl", """
                cell k(D) {
                  input  x: vec[D]
                  output h: vec[D]
                  step {
                    dx = x * 2
                    h  = dx
                  }
                }
                """).units().getFirst()));
        assertTrue(e.getMessage().contains("'dx'"), e.getMessage());
    }
}
