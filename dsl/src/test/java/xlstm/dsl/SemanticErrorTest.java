package xlstm.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static xlstm.dsl.Sources.OUTPUT;
import static xlstm.dsl.Sources.UPDATE;
import static xlstm.dsl.Sources.cell;
import static xlstm.dsl.Sources.errors;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every semantic error, with its exact position; each source has exactly the errors listed (no follow-ups). */
class SemanticErrorTest {

    // ---- names and functions

    @Test
    void unknownName() {
        assertEquals(List.of("t.xl:8:16: unknown name 'xx'; did you mean 'x'?"),
                errors(cell("h = matvec(xx, w)", UPDATE)));
    }

    @Test
    void unknownFunction() {
        assertEquals(List.of("t.xl:8:9: unknown function 'matvek'; did you mean 'matvec'?"),
                errors(cell("h = matvek(x, w)", UPDATE)));
    }

    @Test
    void unknownFunctionStillChecksItsArguments() {
        assertEquals(List.of("t.xl:8:9: unknown function 'frob'", "t.xl:8:14: unknown name 'nope'"),
                errors(cell("a = frob(nope)", UPDATE, OUTPUT)));
    }

    @Test
    void wrongArity() {
        assertEquals(List.of("t.xl:8:9: matvec takes 2 arguments, got 1"), errors(cell("h = matvec(x)", UPDATE)));
        assertEquals(List.of("t.xl:8:9: exp takes 1 argument, got 2"), errors(cell("a = exp(s, s)", UPDATE, OUTPUT)));
    }

    @Test
    void localUsedBeforeItsDefinition() {
        assertEquals(List.of("t.xl:8:9: 'b' is used before it is defined at 9:5"),
                errors(cell("a = b", "b = s", UPDATE, OUTPUT)));
    }

    @Test
    void outputReadBeforeItIsAssigned() {
        assertEquals(List.of("t.xl:8:9: output 'h' is read before it is assigned"),
                errors(cell("a = h", UPDATE, OUTPUT)));
    }

    // ---- shapes and types

    @Test
    void shapeMismatchOfVectorsWithDifferentDims() {
        assertEquals(List.of("t.xl:8:11: operands of '+' have incompatible types vec[D] and vec[E]"),
                errors(cell("a = x + matvec(x, w)", UPDATE, OUTPUT)));
    }

    @Test
    void outerOfScalars() {
        assertEquals(List.of("t.xl:8:15: first argument of outer must be a vec, not scalar"),
                errors(cell("o = outer(s, s)", UPDATE, OUTPUT)));
    }

    @Test
    void matvecWithMismatchedDims() {
        assertEquals(List.of("t.xl:8:9: matvec(mat[D, E], vec[D]): vector size must equal the matrix columns"),
                errors(cell("h = matvec(w, x)", UPDATE)));
    }

    @Test
    void matvecOfTwoVectors() {
        assertEquals(List.of("t.xl:8:9: matvec takes (vec, mat) or (mat, vec), got (vec[D], vec[D])"),
                errors(cell("a = matvec(x, x)", UPDATE, OUTPUT)));
    }

    @Test
    void dotOfDifferentSizes() {
        assertEquals(List.of("t.xl:8:9: dot of vec[D] and vec[E]: sizes differ"),
                errors(cell("a = dot(x, matvec(x, w))", UPDATE, OUTPUT)));
    }

    @Test
    void softcapWithAVectorCap() {
        assertEquals(List.of("t.xl:8:20: cap (second argument) of softcap must be a scalar, not vec[D]"),
                errors(cell("a = softcap(x, x)", UPDATE, OUTPUT)));
    }

    @Test
    void whereConditionMustBeBool() {
        assertEquals(List.of("t.xl:8:15: condition of where must be a bool, not scalar"),
                errors(cell("h = where(eps, matvec(x, w), matvec(x, w))", UPDATE)));
    }

    @Test
    void boolParamIsNoNumber() {
        assertEquals(List.of("t.xl:8:9: left operand of '*' must be a number, not bool"),
                errors(cell("a = on * s", UPDATE, OUTPUT)));
    }

    @Test
    void allZeroTakesAState() {
        assertEquals(List.of("t.xl:8:24: all_zero takes a state (its value before the step)"),
                errors(cell("a = where(all_zero(x), s, 1)", UPDATE, OUTPUT)));
    }

    @Test
    void comparisonOfVectors() {
        assertEquals(List.of("t.xl:8:9: left operand of '<' must be a scalar, not vec[D]"),
                errors(cell("a = x < s", UPDATE, OUTPUT)));
    }

    @Test
    void outputOfTheWrongType() {
        assertEquals(List.of("t.xl:8:5: output 'h' is vec[E] but the value assigned is scalar"),
                errors(cell("h = s", UPDATE)));
    }

    @Test
    void nextStateOfTheWrongType() {
        assertEquals(List.of("t.xl:8:5: state 'z' is vec[D] but the value assigned is scalar"),
                errors(cell("z' = s", OUTPUT)));
    }

    // ---- assignments

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "x = s     | input 'x'",
            "w = w     | weight 'w'",
            "eps = 1   | param 'eps'",
            "D = 1     | dimension 'D'"})
    void assignmentToAReadOnlyName(String statement, String what) {
        assertEquals(List.of("t.xl:8:5: cannot assign to " + what + ": it is read-only"),
                errors(cell(statement, UPDATE, OUTPUT)));
    }

    @Test
    void assignmentToAStateWithoutPrime() {
        assertEquals(List.of("t.xl:8:5: cannot assign to state 'z' itself; its next value is assigned as z' = ..."),
                errors(cell("z = z", UPDATE, OUTPUT)));
    }

    @Test
    void nextValueAssignedTwice() {
        assertEquals(List.of("t.xl:9:5: the next value of state 'z' is assigned twice; first at 8:5"),
                errors(cell(UPDATE, "z' = x", OUTPUT)));
    }

    @Test
    void outputAssignedTwice() {
        assertEquals(List.of("t.xl:10:5: output 'h' is assigned twice; first at 9:5"),
                errors(cell(UPDATE, OUTPUT, OUTPUT)));
    }

    @Test
    void localDefinedTwice() {
        assertEquals(List.of("t.xl:9:5: 'a' is already defined at 8:5; every name is defined once"),
                errors(cell("a = s", "a = s", UPDATE, OUTPUT)));
    }

    @Test
    void nextValueOfANonState() {
        assertEquals(List.of("t.xl:8:5: cannot assign x': input 'x' is not a state, and only states have a next value"),
                errors(cell("x' = x", UPDATE, OUTPUT)));
    }

    @Test
    void readingTheNextValueOfANonState() {
        assertEquals(List.of("t.xl:8:9: input 's' is not a state; only states have a next value s'",
                        "t.xl:9:9: 'q' is not a state; only states have a next value q'"),
                errors(cell("a = s' + 1", "b = q'", UPDATE, OUTPUT)));
    }

    @Test
    void nextValueReadBeforeItIsAssigned() {
        assertEquals(List.of("t.xl:8:9: z' is read before it is assigned; assign z' = ... first "
                        + "(or read 'z' for the value before the step)"),
                errors(cell("a = z' + x", UPDATE, OUTPUT)));
    }

    @Test
    void outputNeverAssigned() {
        assertEquals(List.of("t.xl:5:10: output 'h' is never assigned"), errors(cell(UPDATE)));
    }

    /** A state that never changes is an error, not a warning: it is almost always a forgotten update. */
    @Test
    void stateNeverUpdated() {
        assertEquals(List.of("t.xl:4:10: state 'z' never gets a next value; assign z' = ... in the step block"),
                errors(cell(OUTPUT)));
    }

    // ---- declarations

    @Test
    void duplicateDeclarations() {
        assertEquals(List.of(
                        "t.xl:1:11: duplicate declaration of 'D': already declared as dimension 'D' at 1:8",
                        "t.xl:2:20: duplicate declaration of 'x': already declared as input 'x' at 2:9",
                        "t.xl:3:10: duplicate declaration of 'x': already declared as input 'x' at 2:9"),
                errors("""
                        cell c(D, D) {
                          input x: vec[D], x: scalar
                          output x: vec[D], h: vec[D]
                          step { h = x }
                        }
                        """));
    }

    @Test
    void reservedDimensionIsReportedOnce() {
        assertEquals(List.of("t.xl:1:13: 'B' is reserved: generated methods take the batch size under that name"),
                errors("kernel k(N, B) { input x: vec[B]; output y: vec[B]; body { y = x } }"));
    }

    @Test
    void undeclaredDimension() {
        assertEquals(List.of("t.xl:2:16: undeclared dimension 'M'; the header declares N"), errors("""
                kernel k(N) {
                  input x: vec[M]
                  output y: vec[N]
                  body { y = x }
                }
                """));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "input x: vector[N]  | 2:12 | unknown type 'vector'; expected scalar, vec[D] or mat[D1, D2]",
            "input x: bool       | 2:12 | unknown type 'bool'; expected scalar, vec[D] or mat[D1, D2] (only params are float or bool)",
            "input x: vec[N, N]  | 2:12 | vec takes one dimension, as in vec[D], not vec[N, N]",
            "input x: mat[N]     | 2:12 | mat takes two dimensions, as in mat[D1, D2], not mat[N]",
            "input x: scalar[N]  | 2:12 | scalar takes no dimensions, not scalar[N]",
            "input x: mat[N, N]  | 2:12 | input 'x' cannot be mat[N, N]: inputs and outputs are scalar or vec[D]",
            "weight x: scalar    | 2:13 | weight 'x' cannot be scalar: weights are vec[D] or mat[D1, D2]; use a param for a scalar",
            "input x             | 2:9  | input 'x' needs a type, as in 'x: vec[D]'",
            "input x: vec[N] = 0 | 2:21 | input 'x' takes no value: only states (initial value) and params (default) are written with '= ...'",
            "param x: int = 1    | 2:12 | a param is float or bool, not int",
            "param x: bool = 1   | 2:19 | bool param 'x' needs true or false, not 1",
            "param x = true      | 2:13 | float param 'x' needs a number, not true (declare it 'x: bool' for a switch)",
            "input x: vec[N], S: scalar   | 2:20 | 'S' is reserved: generated methods take the sequence length under that name",
            "input x: vec[N], int: scalar | 2:20 | 'int' is reserved: it is a keyword of the generated Java code"})
    void badDeclaration(String declaration, String position, String message) {
        assertEquals(List.of("t.xl:" + position + ": " + message), errors("""
                kernel k(N) {
                  %s
                  output y: vec[N]
                  body { y = silu(x) }
                }
                """.formatted(declaration)));
    }

    @Test
    void badStateInitialValue() {
        assertEquals(List.of("t.xl:4:22: the initial value of state 'z' must be a number, not true"),
                errors(cell(UPDATE, OUTPUT).replace("state  z: vec[D] = 0", "state  z: vec[D] = true")));
    }

    @Test
    void kernelWithAState() {
        assertEquals(List.of("t.xl:3:9: kernel 'k' cannot have a state: kernels are stateless, declare a cell instead"),
                errors("""
                        kernel k(N) {
                          input x: vec[N]
                          state s: vec[N] = 0
                          output y: vec[N]
                          body { y = x + s }
                        }
                        """));
    }

    @Test
    void duplicateDefinitionNames() {
        assertEquals(List.of("t.xl:2:8: duplicate definition of 'k': already defined as kernel at t.xl:1:8"), errors("""
                kernel k(N) { input x: vec[N]; output y: vec[N]; body { y = x } }
                kernel k(N) { input x: vec[N]; output y: vec[N]; body { y = x } }
                """));
    }

    // ---- blocks

    @Test
    void cellWithABodyBlock() {
        assertEquals(List.of("t.xl:7:3: the statements of a cell go in a 'step' block, not 'body'"),
                errors(cell(UPDATE, OUTPUT).replace("step {", "body {")));
    }

    @Test
    void missingBlock() {
        assertEquals(List.of("t.xl:1:8: kernel 'k' has no body { ... } block"),
                errors("kernel k(N) {\n  input x: vec[N]\n}\n"));
    }

    @Test
    void twoBlocks() {
        assertEquals(List.of("t.xl:5:3: kernel 'k' has more than one body block"), errors("""
                kernel k(N) {
                  input x: vec[N]
                  output y: vec[N]
                  body { y = x }
                  body { y = x }
                }
                """));
    }

    // ---- reporting

    @Test
    void reportsAllErrorsInSourceOrder() {
        assertEquals(List.of(
                        "t.xl:4:10: state 'z' never gets a next value; assign z' = ... in the step block",
                        "t.xl:8:9: unknown name 'xx'; did you mean 'x'?",
                        "t.xl:9:9: unknown function 'matvek'; did you mean 'matvec'?",
                        "t.xl:10:5: cannot assign to state 'z' itself; its next value is assigned as z' = ..."),
                errors(cell("a = xx", "b = matvek(s)", "z = z", OUTPUT)));
    }

    @Test
    void messageIsOneLinePerDiagnostic() {
        DslException e = org.junit.jupiter.api.Assertions.assertThrows(DslException.class,
                () -> Sources.compile(cell("a = xx", "b = yy", UPDATE, OUTPUT)));
        assertEquals("t.xl:8:9: unknown name 'xx'; did you mean 'x'?\nt.xl:9:9: unknown name 'yy'", e.getMessage());
        assertEquals(new Diagnostic("t.xl", 8, 9, "unknown name 'xx'; did you mean 'x'?"), e.diagnostics().getFirst());
        assertEquals(0, e.getStackTrace().length, "a user error carries no stack trace");
    }
}
