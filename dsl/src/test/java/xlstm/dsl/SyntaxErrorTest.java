package xlstm.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Syntax errors come from the custom listener as file:line:col diagnostics, several per file where recovery allows. */
class SyntaxErrorTest {

    /** A kernel whose body statements start on line 5, column 5. */
    private static String kernel(String... statements) {
        return "kernel k(N) {\n  input x: vec[N]\n  output y: vec[N]\n  body {\n"
                + String.join("", List.of(statements).stream().map(s -> "    " + s + "\n").toList())
                + "  }\n}\n";
    }

    private static List<String> syntaxErrors(String text) {
        DslException e = assertThrows(DslException.class, () -> Dsl.parse("t.xl", text));
        return e.diagnostics().stream().map(Diagnostic::toString).toList();
    }

    @Test
    void expressionMissingAtEndOfLine() {
        assertEquals(List.of("t.xl:5:12: unexpected end of line, expected an expression"), syntaxErrors(kernel("y = x +")));
    }

    @Test
    void twoStatementsOnOneLineNeedASemicolon() {
        assertEquals(List.of("t.xl:5:11: unexpected 'x', expected one of '}', ';' or end of line"),
                syntaxErrors(kernel("y = x x")));
    }

    @Test
    void missingAssignment() {
        assertEquals(List.of("t.xl:5:7: missing '=' before 'x'"), syntaxErrors(kernel("y x")));
    }

    @Test
    void unclosedParenthesisIsReportedWhereTheBlockCloses() {
        assertEquals(List.of("t.xl:6:3: missing ')' before '}'"), syntaxErrors(kernel("y = (x + 1")));
    }

    @Test
    void trailingCommaInACall() {
        assertEquals(List.of("t.xl:5:13: unexpected ')', expected an expression"), syntaxErrors(kernel("y = f(x,)")));
    }

    @Test
    void unexpectedCharacter() {
        assertEquals(List.of("t.xl:5:11: unexpected character '@'"), syntaxErrors(kernel("y = x @")));
    }

    @Test
    void statementMustStartWithAName() {
        assertEquals(List.of("t.xl:5:5: unexpected '3', expected one of a next-state name (x'), a name, '}', ';' "
                + "or end of line"), syntaxErrors(kernel("3 = x")));
    }

    @Test
    void unknownSectionKeyword() {
        assertEquals(List.of("t.xl:2:3: unexpected 'inputs', expected one of 'input', 'weight', 'state', 'output', "
                + "'param', 'step', 'body', '}', ';' or end of line"), syntaxErrors("kernel k(N) {\n  inputs x: vec[N]\n}\n"));
    }

    @Test
    void sectionsNeedASeparator() {
        assertEquals(List.of("t.xl:2:19: unexpected 'output', expected one of '}', ';' or end of line"),
                syntaxErrors("kernel k(N) {\n  input x: vec[N] output y: vec[N]\n}\n"));
    }

    @Test
    void unknownDefinitionKeyword() {
        assertEquals(List.of("t.xl:1:1: unexpected 'cel', expected one of end of file, 'cell', 'kernel' or end of line"),
                syntaxErrors("cel c(N) { }"));
    }

    @Test
    void unterminatedDefinition() {
        assertEquals(List.of("t.xl:7:1: unexpected end of file, expected one of '}', ';' or end of line"),
                syntaxErrors(kernel("y = x").replaceAll("}\n$", "")));
    }

    @Test
    void reportsErrorsOfSeveralStatementsAndDefinitions() {
        assertEquals(List.of(
                        "t.xl:5:10: unexpected end of line, expected an expression",
                        "t.xl:6:11: unexpected character '@'",
                        "t.xl:8:3: unexpected '}', expected an expression",
                        "t.xl:11:8: unexpected 'c', expected '('"),
                syntaxErrors(kernel("z = -", "w = x @", "v = (") + "\ncell c c(N) { }\n"));
    }

    @Test
    void allFilesAreReportedTogether(@TempDir Path dir) throws IOException {
        Path a = Files.writeString(dir.resolve("a.xl"), "cell a(N) {\n  step { x = }\n}\n");
        Path b = Files.writeString(dir.resolve("b.xl"), "kernel b(N) { body { y = 1 +* 2 } }\n");
        DslException e = assertThrows(DslException.class, () -> Dsl.parse(a, b));
        assertEquals(List.of(
                        new Diagnostic(a.toString(), 2, 14, "unexpected '}', expected an expression"),
                        new Diagnostic(b.toString(), 1, 29, "unexpected '*', expected an expression")),
                e.diagnostics());
    }
}
