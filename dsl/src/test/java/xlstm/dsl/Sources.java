package xlstm.dsl;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

import xlstm.dsl.ir.CellIR;
import xlstm.dsl.ir.IrModule;

/** Small DSL sources for tests, all named {@code t.xl}. */
final class Sources {
    static final String FILE = "t.xl";

    /**
     * A cell whose statements start on line 8, column 5:
     * <pre>
     * 1 cell c(D, E) {
     * 2   input  x: vec[D], s: scalar
     * 3   weight w: mat[D, E]
     * 4   state  z: vec[D] = 0
     * 5   output h: vec[E]
     * 6   param  eps = 1e-6, on: bool = true
     * 7   step {
     * 8     ...statements
     * </pre>
     */
    static String cell(String... statements) {
        return """
                cell c(D, E) {
                  input  x: vec[D], s: scalar
                  weight w: mat[D, E]
                  state  z: vec[D] = 0
                  output h: vec[E]
                  param  eps = 1e-6, on: bool = true
                  step {
                """ + Arrays.stream(statements).map(s -> "    " + s + "\n").collect(Collectors.joining())
                + "  }\n}\n";
    }

    /** The statements that make {@link #cell} complete: the state update and the output. */
    static final String UPDATE = "z' = z";
    static final String OUTPUT = "h = matvec(x, w)";

    static IrModule compile(String text) { return Dsl.compile(FILE, text); }

    static CellIR unit(String text) { return compile(text).units().getFirst(); }

    /** The diagnostics of a source that must fail, as {@code file:line:col: message} lines. */
    static List<String> errors(String text) {
        DslException e = assertThrows(DslException.class, () -> Dsl.compile(FILE, text));
        return e.diagnostics().stream().map(Diagnostic::toString).toList();
    }

    private Sources() {}
}
