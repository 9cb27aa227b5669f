package xlstm.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import xlstm.dsl.ast.Assignment;
import xlstm.dsl.ast.AstFile;
import xlstm.dsl.ast.AstPrinter;
import xlstm.dsl.ast.Declaration;
import xlstm.dsl.ast.Definition;
import xlstm.dsl.ast.DefinitionKind;
import xlstm.dsl.ast.Expression;
import xlstm.dsl.ast.Literal;
import xlstm.dsl.ast.Position;
import xlstm.dsl.ast.Role;

/** The grammar, construct by construct, checked on the AST (no semantic checks here). */
class ParserTest {

    private static Definition definition(String text) { return Dsl.parse("t.xl", text).definitions().getFirst(); }

    /** The parse of one expression, printed fully parenthesised. */
    private static String grouped(String expression) {
        Definition d = definition("kernel k(N) { body { r = " + expression + " } }");
        return AstPrinter.expr(d.blocks().getFirst().statements().getFirst().value());
    }

    @Test
    void cellHeaderAndDimensions() {
        Definition d = definition("cell mlstm(DQK, DV) {\n  step { }\n}");
        assertEquals(DefinitionKind.CELL, d.kind());
        assertEquals("mlstm", d.name().name());
        assertEquals(List.of("DQK", "DV"), d.dims().stream().map(i -> i.name()).toList());
        assertEquals(new Position("t.xl", 1, 1), d.pos());
        assertEquals(new Position("t.xl", 1, 12), d.dims().getFirst().pos());
        assertEquals("step", d.blocks().getFirst().keyword());
    }

    @Test
    void kernelWithBodyOnOneLine() {
        Definition d = definition("kernel silu_rows(N) { input x: vec[N]; output y: vec[N]; body { y = silu(x) } }");
        assertEquals(DefinitionKind.KERNEL, d.kind());
        assertEquals("body", d.blocks().getFirst().keyword());
        assertEquals(List.of(Role.INPUT, Role.OUTPUT), d.declarations().stream().map(Declaration::role).toList());
    }

    @Test
    void severalDefinitionsAndComments() {
        AstFile file = Dsl.parse("t.xl", """
                // leading comment
                kernel a(N) { body { } }   // trailing comment

                // between
                cell b(N) {
                  step { }  // after a block
                }
                """);
        assertEquals(List.of("a", "b"), file.definitions().stream().map(d -> d.name().name()).toList());
    }

    @Test
    void inputSection() {
        List<Declaration> ds = definition("kernel k(N) {\n  input x: vec[N], s: scalar\n}").declarations();
        assertEquals(2, ds.size());
        assertEquals(Role.INPUT, ds.get(0).role());
        assertEquals("x", ds.get(0).name().name());
        assertEquals("vec[N]", ds.get(0).type().orElseThrow().toString());
        assertEquals("scalar", ds.get(1).type().orElseThrow().toString());
        assertEquals(new Position("t.xl", 2, 20), ds.get(1).name().pos());
    }

    @Test
    void weightSection() {
        Declaration w = definition("kernel k(A, B) { weight R: mat[A, B] }").declarations().getFirst();
        assertEquals(Role.WEIGHT, w.role());
        assertEquals("mat[A, B]", w.type().orElseThrow().toString());
    }

    @Test
    void stateSectionWithInitialValues() {
        List<Declaration> ds = definition("cell c(N) { state a: vec[N] = 0, b: scalar = -1.5e3, c: scalar }")
                .declarations();
        assertEquals(Role.STATE, ds.get(0).role());
        assertEquals(0.0, ((Literal.NumberLiteral) ds.get(0).value().orElseThrow()).value());
        assertEquals(-1500.0, ((Literal.NumberLiteral) ds.get(1).value().orElseThrow()).value());
        assertEquals("-1.5e3", ds.get(1).value().orElseThrow().toString());
        assertEquals(Optional.empty(), ds.get(2).value());
    }

    @Test
    void outputSection() {
        Declaration h = definition("cell c(N) { output h: vec[N] }").declarations().getFirst();
        assertEquals(Role.OUTPUT, h.role());
        assertEquals("h", h.name().name());
    }

    @Test
    void paramSectionWithFloatAndBool() {
        List<Declaration> ds = definition("cell c(N) { param eps = 1e-6, normalize: bool = true, off: bool = false }")
                .declarations();
        assertEquals(Optional.empty(), ds.get(0).type(), "a param without a type is a float");
        assertEquals(1e-6, ((Literal.NumberLiteral) ds.get(0).value().orElseThrow()).value());
        assertEquals("bool", ds.get(1).type().orElseThrow().name());
        assertEquals(new Literal.BoolLiteral(true, new Position("t.xl", 1, 49)), ds.get(1).value().orElseThrow());
        assertFalse(((Literal.BoolLiteral) ds.get(2).value().orElseThrow()).value());
    }

    @Test
    void sectionsRepeatAndContinueAfterAComma() {
        Definition d = definition("""
                cell c(N) {
                  input a: scalar,
                        b: scalar
                  state s: scalar = 0
                  input c: vec[N]; output h: scalar
                  step { }
                }
                """);
        assertEquals(List.of("a", "b", "s", "c", "h"), d.declarations().stream().map(x -> x.name().name()).toList());
        assertEquals(4, d.sections().size());
    }

    @Test
    void localStatement() {
        Assignment a = definition("cell c(N) { step { lf = logsigmoid(f) } }").blocks().getFirst().statements().getFirst();
        assertEquals("lf", a.target().name());
        assertFalse(a.next());
        assertEquals("logsigmoid(f)", AstPrinter.expr(a.value()));
    }

    @Test
    void nextStateStatement() {
        Assignment a = definition("cell c(N) { step { m' = max(lf + m, i) } }").blocks().getFirst().statements().getFirst();
        assertEquals("m", a.target().name());
        assertTrue(a.next());
        assertEquals("m'", a.targetText());
        assertEquals("max((lf + m), i)", AstPrinter.expr(a.value()));
    }

    @Test
    void outputStatementIsAnAssignmentToItsName() {
        Assignment a = definition("cell c(N) { step { h = y' } }").blocks().getFirst().statements().getFirst();
        assertEquals("h", a.targetText());
        assertInstanceOf(Expression.NextName.class, a.value());
    }

    @Test
    void statementsSeparatedByNewlinesAndSemicolons() {
        Definition d = definition("""
                cell c(N) {
                  step {
                    a = 1; b = 2

                    c = 3 ;; d = 4;
                  }
                }
                """);
        List<Assignment> ss = d.blocks().getFirst().statements();
        assertEquals(List.of("a", "b", "c", "d"), ss.stream().map(Assignment::targetText).toList());
        assertEquals(new Position("t.xl", 3, 12), ss.get(1).pos());
        assertEquals(new Position("t.xl", 5, 14), ss.get(3).pos());
    }

    @Test
    void newlinesInsideParenthesesContinueTheStatement() {
        Definition d = definition("""
                cell c(N) {
                  step {
                    h = where(on,
                              a,
                              (b
                               + c))
                  }
                }
                """);
        assertEquals("where(on, a, (b + c))", AstPrinter.expr(d.blocks().getFirst().statements().getFirst().value()));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "1         | 1.0",
            "42        | 42.0",
            "0.5       | 0.5",
            "2.        | 2.0",
            ".25       | 0.25",
            "1e-6      | 1.0E-6",
            "1.5E+3    | 1500.0"})
    void numbers(String text, double value) {
        Expression e = definition("kernel k(N) { body { r = " + text + " } }").blocks().getFirst().statements()
                .getFirst().value();
        assertEquals(value, ((Expression.Number) e).value());
        assertEquals(text, ((Expression.Number) e).text());
    }

    @Test
    void namesNextNamesDimsAndBooleans() {
        assertInstanceOf(Expression.Name.class, exprOf("DQK"));
        assertEquals(new Expression.NextName("C", new Position("t.xl", 1, 26)), exprOf("C'"));
        assertEquals(new Expression.Bool(true, new Position("t.xl", 1, 26)), exprOf("true"));
        assertEquals("rsqrt(DQK)", grouped("rsqrt(DQK)"));
        assertEquals("all_zero()", grouped("all_zero()"));
    }

    private static Expression exprOf(String text) {
        return definition("kernel k(N) { body { r = " + text + " } }").blocks().getFirst().statements().getFirst().value();
    }

    @ParameterizedTest
    @CsvSource(delimiterString = "=>", quoteCharacter = '"', value = {
            "a + b * c            => (a + (b * c))",
            "a * b + c            => ((a * b) + c)",
            "a - b - c            => ((a - b) - c)",
            "a / b / c            => ((a / b) / c)",
            "a / b * c            => ((a / b) * c)",
            "(a + b) * c          => ((a + b) * c)",
            "-a * b               => ((-a) * b)",
            "-(a * b)             => (-(a * b))",
            "a - -b               => (a - (-b))",
            "a * -b               => (a * (-b))",
            "--a                  => (-(-a))",
            "exp(-m') + eps       => (exp((-m')) + eps)",
            "f(a, b + c) * d      => (f(a, (b + c)) * d)",
            "a + b < c * d        => ((a + b) < (c * d))",
            "a < b == c >= d      => ((a < b) == (c >= d))",
            "a == b && c != d     => ((a == b) && (c != d))",
            "a || b && c          => (a || (b && c))",
            "!a && b              => ((!a) && b)",
            "a && b || c && d     => ((a && b) || (c && d))"})
    void precedenceAndAssociativity(String expression, String grouping) {
        assertEquals(grouping, grouped(expression));
    }

    @Test
    void binaryExpressionIsPositionedAtItsOperator() {
        Expression e = exprOf("a  +  b");
        assertEquals(new Position("t.xl", 1, 29), e.pos());
    }

    @Test
    void astDumpShowsEveryNodeWithItsPosition() {
        String dump = Dsl.dumpAst(Dsl.parse("t.xl", """
                cell c(N) {
                  input x: vec[N]
                  state s: vec[N] = 0
                  output h: vec[N]
                  param eps = 1e-6, on: bool = true
                  step {
                    s' = s * 0.5 + x
                    h = s' / (eps + 1)
                  }
                }
                """));
        assertEquals("""
                // AST of t.xl
                cell c(N)  @1:1
                  input x: vec[N]  @2:9
                  state s: vec[N] = 0  @3:9
                  output h: vec[N]  @4:10
                  param eps = 1e-6  @5:9
                  param on: bool = true  @5:21
                  step  @6:3
                    s' = ((s * 0.5) + x)  @7:5
                    h = (s' / (eps + 1))  @8:5
                """, dump);
    }
}
