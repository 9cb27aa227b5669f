package xlstm.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import xlstm.dsl.ir.Builtin;
import xlstm.dsl.ir.CellIR;
import xlstm.dsl.ir.Decl;
import xlstm.dsl.ir.Expr;
import xlstm.dsl.ir.IrVerifier;
import xlstm.dsl.ir.Param;
import xlstm.dsl.ir.SourcePos;
import xlstm.dsl.ir.Stmt;
import xlstm.dsl.ir.Type;

/** The IR a checked definition lowers to: declarations, statement kinds, reference kinds, positions. */
class LoweringTest {
    private static final String CELL = """
            cell c(D) {
              input  x: vec[D], g: scalar
              weight w: vec[D]
              state  s: vec[D] = 1.5, m: scalar = -2
              output h: vec[D], o: scalar
              param  eps = 1e-6, on: bool = true, free
              step {
                a = x * g + w
                m' = max(m, g)
                s' = s * exp(-m') + a
                h = where(on, s', a) / (D + eps)
                o = sum(h)
              }
            }
            """;

    private final CellIR cell = Sources.unit(CELL);

    @Test
    void header() {
        assertEquals(CellIR.Kind.CELL, cell.kind());
        assertEquals("c", cell.name());
        assertEquals(List.of("D"), cell.dims().stream().map(d -> d.name()).toList());
        assertEquals(List.of(Decl.input("x", Type.vec("D"), pos(2, 10)), Decl.input("g", Type.SCALAR, pos(2, 21))),
                cell.inputs());
        assertEquals(List.of(Decl.weight("w", Type.vec("D"), pos(3, 10))), cell.weights());
        assertEquals(List.of(Decl.state("s", Type.vec("D"), 1.5, pos(4, 10)), Decl.state("m", Type.SCALAR, -2, pos(4, 27))),
                cell.states());
        assertEquals(List.of("h", "o"), cell.outputs().stream().map(Decl::name).toList());
        assertEquals(List.of(Param.ofFloat("eps", 1e-6, pos(6, 10)), Param.ofBool("on", true, pos(6, 22)),
                Param.ofFloat("free", null, pos(6, 39))), cell.params());
    }

    @Test
    void statementKindsInSourceOrder() {
        assertEquals(List.of("LET a", "NEXT_STATE m", "NEXT_STATE s", "OUTPUT h", "OUTPUT o"),
                cell.body().stream().map(s -> s.kind() + " " + s.name()).toList());
        assertEquals(pos(9, 5), cell.body().get(1).pos());
    }

    @Test
    void referenceKinds() {
        assertEquals("ADD(MUL(input x, input g), weight w)", shape("a"));
        assertEquals("MAX(state m, input g)", cell.def(Stmt.Kind.NEXT_STATE, "m").map(s -> IrShape.of(s.value())).orElseThrow());
        assertEquals("ADD(MUL(state s, EXP(NEG(next_state m))), let a)",
                cell.def(Stmt.Kind.NEXT_STATE, "s").map(s -> IrShape.of(s.value())).orElseThrow());
        assertEquals("DIV(WHERE(param on, next_state s, let a), ADD(dim D, param eps))",
                cell.def(Stmt.Kind.OUTPUT, "h").map(s -> IrShape.of(s.value())).orElseThrow());
        assertEquals("SUM(output h)", cell.def(Stmt.Kind.OUTPUT, "o").map(s -> IrShape.of(s.value())).orElseThrow());
    }

    @Test
    void expressionsCarryTheirSourcePositions() {
        Expr a = cell.def(Stmt.Kind.LET, "a").orElseThrow().value();
        assertEquals(pos(8, 15), a.pos(), "a binary node sits at its operator");
        assertEquals(pos(8, 9), ((Expr.Binary) ((Expr.Binary) a).a()).a().pos());
        Expr h = cell.def(Stmt.Kind.OUTPUT, "h").orElseThrow().value();
        assertEquals(pos(11, 9), ((Expr.Binary) h).a().pos(), "a call sits at its function name");
    }

    @Test
    void theIrPassesItsOwnVerifier() {
        assertEquals(List.of(), IrVerifier.verify(cell));
    }

    @Test
    void matvecOrientationFollowsTheArgumentTypes() {
        CellIR k = Sources.unit("""
                kernel k(A, E) {
                  input x: vec[A], y: vec[E]
                  weight M: mat[A, E]
                  output u: vec[E], v: vec[A]
                  body {
                    u = matvec(x, M)
                    v = matvec(M, y)
                  }
                }
                """);
        assertTrue(Builtin.isVecMat((Expr.Call) k.def(Stmt.Kind.OUTPUT, "u").orElseThrow().value()), "x^T M");
        assertFalse(Builtin.isVecMat((Expr.Call) k.def(Stmt.Kind.OUTPUT, "v").orElseThrow().value()), "M x");
        assertEquals(CellIR.Kind.KERNEL, k.kind());
    }

    @Test
    void constantsAndBooleansAreKeptAsWritten() {
        CellIR k = Sources.unit("kernel k(N) { output y: scalar; body { t = true; y = where(t, -2.5, 1e3) } }");
        assertEquals("WHERE(let t, NEG(2.5), 1000.0)", IrShape.of(k.def(Stmt.Kind.OUTPUT, "y").orElseThrow().value()));
        assertInstanceOf(Expr.BoolConst.class, k.def(Stmt.Kind.LET, "t").orElseThrow().value());
    }

    @Test
    void aStateWithoutInitialValueStartsAtZero() {
        CellIR c = Sources.unit("cell c(N) { state s: scalar; output h: scalar; step { s' = s + 1; h = s' } }");
        assertEquals(0.0, c.states().getFirst().init());
    }

    @Test
    void aParamWithoutDefaultHasNone() {
        assertNull(cell.param("free").orElseThrow().defaultValue());
    }

    @Test
    void eachFileIsOneModuleInOrder() {
        var modules = Dsl.lower(List.of(Dsl.parse("a.xl", "kernel a(N) { body { } }"),
                Dsl.parse("b.xl", "kernel b(N) { body { } }\nkernel c(N) { body { } }")));
        assertEquals(List.of("a.xl", "b.xl"), modules.stream().map(m -> m.file()).toList());
        assertEquals(List.of("b", "c"), modules.get(1).units().stream().map(CellIR::name).toList());
    }

    private String shape(String let) {
        return IrShape.of(cell.def(Stmt.Kind.LET, let).orElseThrow().value());
    }

    private static SourcePos pos(int line, int col) { return new SourcePos(Sources.FILE, line, col); }
}
