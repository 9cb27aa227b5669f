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
                cell t(A, B) {
                  input  s: scalar, a: vec[A], a2: vec[A], b: vec[B]
                  weight M: mat[A, B], K: mat[B, A]
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
    @CsvSource(delimiter = '|', value = {
            "s     | scalar", "a     | vec[A]", "M     | mat[A, B]", "z     | vec[A]",
            "A     | scalar", "p     | scalar", "flag  | bool", "1.5   | scalar", "true  | bool"})
    void names(String expression, String type) {
        assertEquals(type, typeOf(expression));
    }

    @ParameterizedTest
    @ValueSource(strings = {"exp", "log", "logsigmoid", "sigmoid", "tanh", "silu", "gelu", "relu", "selu", "abs", "sqrt",
            "rsqrt"})
    void unaryElementwiseBuiltinsKeepTheShape(String fn) {
        assertEquals("scalar", typeOf(fn + "(s)"));
        assertEquals("vec[A]", typeOf(fn + "(a)"));
        assertEquals("mat[A, B]", typeOf(fn + "(M)"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "max(s, s)              | scalar",
            "max(s, a)              | vec[A]",
            "max(a, a2)             | vec[A]",
            "min(M, s)              | mat[A, B]",
            "min(a, 1)              | vec[A]",
            "softcap(a, p)          | vec[A]",
            "softcap(M, 15)         | mat[A, B]",
            "outer(a, b)            | mat[A, B]",
            "outer(b, a)            | mat[B, A]",
            "dot(a, a2)             | scalar",
            "matvec(a, M)           | vec[B]",
            "matvec(M, b)           | vec[A]",
            "matvec(b, K)           | vec[A]",
            "matvec(K, a)           | vec[B]",
            "sum(a)                 | scalar",
            "sum(M)                 | scalar",
            "sum(s)                 | scalar",
            "where(flag, a, s)      | vec[A]",
            "where(flag, s, s)      | scalar",
            "where(flag, true, false) | bool",
            "all_zero(z)            | bool",
            "where(all_zero(z), a, a2) | vec[A]"})
    void builtins(String expression, String type) {
        assertEquals(type, typeOf(expression));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "-a                     | vec[A]",
            "!flag                  | bool",
            "s + a                  | vec[A]",
            "a * s                  | vec[A]",
            "M / s                  | mat[A, B]",
            "a - a2                 | vec[A]",
            "M * outer(a, b)        | mat[A, B]",
            "s * rsqrt(A)           | scalar",
            "s < p                  | bool",
            "s >= 1 && flag         | bool",
            "s == p || !flag        | bool"})
    void operatorsBroadcastScalars(String expression, String type) {
        assertEquals(type, typeOf(expression));
    }
}
