package xlstm.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import xlstm.dsl.ir.Stmt;

/** The type every built-in, operator and kind of name gets when lowered. */
class TypingTest {

    /** The type of {@code expression} in a cell with names of every shape. */
    private static String typeOf(String expression) {
        String text = """
                cell t(A, E) {
                  input  s: scalar, a: vec[A], a2: vec[A], b: vec[E]
                  weight M: mat[A, E], K: mat[E, A]
                  state  z: vec[A] = 0
                  output y: scalar
                  param  p = 2, flag: bool = false
                  step {
                    r = %s
                    z' = z
                    y = 0
                  }
                }
                """.formatted(expression);
        return Sources.unit(text).def(Stmt.Kind.LET, "r").orElseThrow().type().toString();
    }

    @ParameterizedTest
    @CsvSource(delimiterString = "=>", value = {
            "s => scalar", "a => vec[A]", "M => mat[A, E]", "z => vec[A]",
            "A => scalar", "p => scalar", "flag => bool", "1.5 => scalar", "true => bool"})
    void names(String expression, String type) {
        assertEquals(type, typeOf(expression));
    }

    @ParameterizedTest
    @ValueSource(strings = {"exp", "log", "logsigmoid", "sigmoid", "tanh", "silu", "gelu", "relu", "selu", "abs", "sqrt",
            "rsqrt"})
    void unaryElementwiseBuiltinsKeepTheShape(String fn) {
        assertEquals("scalar", typeOf(fn + "(s)"));
        assertEquals("vec[A]", typeOf(fn + "(a)"));
        assertEquals("mat[A, E]", typeOf(fn + "(M)"));
    }

    @ParameterizedTest
    @CsvSource(delimiterString = "=>", value = {
            "max(s, s) => scalar",
            "max(s, a) => vec[A]",
            "max(a, a2) => vec[A]",
            "min(M, s) => mat[A, E]",
            "min(a, 1) => vec[A]",
            "softcap(a, p) => vec[A]",
            "softcap(M, 15) => mat[A, E]",
            "outer(a, b) => mat[A, E]",
            "outer(b, a) => mat[E, A]",
            "dot(a, a2) => scalar",
            "matvec(a, M) => vec[E]",
            "matvec(M, b) => vec[A]",
            "matvec(b, K) => vec[A]",
            "matvec(K, a) => vec[E]",
            "sum(a) => scalar",
            "sum(M) => scalar",
            "sum(s) => scalar",
            "where(flag, a, s) => vec[A]",
            "where(flag, s, s) => scalar",
            "where(flag, true, false) => bool",
            "all_zero(z) => bool",
            "where(all_zero(z), a, a2) => vec[A]"})
    void builtins(String expression, String type) {
        assertEquals(type, typeOf(expression));
    }

    @ParameterizedTest
    @CsvSource(delimiterString = "=>", value = {
            "-a => vec[A]",
            "!flag => bool",
            "s + a => vec[A]",
            "a * s => vec[A]",
            "M / s => mat[A, E]",
            "a - a2 => vec[A]",
            "M * outer(a, b) => mat[A, E]",
            "s * rsqrt(A) => scalar",
            "s < p => bool",
            "s >= 1 && flag => bool",
            "s == p || !flag => bool"})
    void operatorsBroadcastScalars(String expression, String type) {
        assertEquals(type, typeOf(expression));
    }
}
