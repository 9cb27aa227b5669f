package xlstm.codegen;

import org.junit.jupiter.api.Test;
import xlstm.dsl.ir.BinOp;
import xlstm.dsl.ir.Builtin;
import xlstm.dsl.ir.CellIR;
import xlstm.dsl.ir.Decl;
import xlstm.dsl.ir.Dim;
import xlstm.dsl.ir.Expr;
import xlstm.dsl.ir.IrException;
import xlstm.dsl.ir.IrPrinter;
import xlstm.dsl.ir.IrVerifier;
import xlstm.dsl.ir.Param;
import xlstm.dsl.ir.SourcePos;
import xlstm.dsl.ir.Stmt;
import xlstm.dsl.ir.Type;
import xlstm.dsl.ir.Typing;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class IrTest {
    static final SourcePos P = new SourcePos("t.xl", 3, 7);
    static final Expr X = Typing.ref(Expr.RefKind.INPUT, "x", Type.vec("D"), P);
    static final Expr Y = Typing.ref(Expr.RefKind.INPUT, "y", Type.vec("E"), P);
    static final Expr M = Typing.ref(Expr.RefKind.WEIGHT, "M", Type.mat("D", "E"), P);
    static final Expr S = Typing.ref(Expr.RefKind.INPUT, "s", Type.SCALAR, P);

    @Test
    void typingRules() {
        assertEquals(Type.vec("E"), Typing.call(Builtin.MATVEC, P, X, M).type(), "x^T M");
        assertEquals(Type.vec("D"), Typing.call(Builtin.MATVEC, P, M, Y).type(), "M y");
        assertTrue(Builtin.isVecMat(Typing.call(Builtin.MATVEC, P, X, M)));
        assertEquals(Type.mat("D", "E"), Typing.call(Builtin.OUTER, P, X, Y).type());
        assertEquals(Type.SCALAR, Typing.call(Builtin.DOT, P, X, X).type());
        assertEquals(Type.vec("D"), Typing.binary(BinOp.MUL, S, X, P).type(), "scalar broadcast");
        assertEquals(Type.BOOL, Typing.binary(BinOp.LT, S, S, P).type());
        assertEquals(Type.vec("D"), Typing.call(Builtin.WHERE, P, Typing.bool(true, P), X, S).type());
        assertEquals(Type.vec("D"), Typing.call(Builtin.SOFTCAP, P, X, S).type());
    }

    @Test
    void typeErrorsCarryPositions() {
        IrException e = assertThrows(IrException.class, () -> Typing.call(Builtin.DOT, P, X, Y));
        assertTrue(e.formatted().startsWith("t.xl:3:7: "), e.formatted());
        assertThrows(IrException.class, () -> Typing.binary(BinOp.ADD, X, Y, P));
        assertThrows(IrException.class, () -> Typing.call(Builtin.MATVEC, P, Y, M));
        assertThrows(IrException.class, () -> Typing.call(Builtin.ALL_ZERO, P, X), "all_zero of an input");
        assertThrows(IrException.class, () -> Typing.call(Builtin.EXP, P, X, X), "arity");
        assertThrows(IrException.class, () -> Typing.call(Builtin.WHERE, P, S, X, X), "condition must be bool");
    }

    @Test
    void verifierFindsUseBeforeDefinitionAndTypeMismatch() {
        Expr useNext = Typing.ref(Expr.RefKind.NEXT_STATE, "c", Type.vec("D"), P);
        CellIR bad = new CellIR(CellIR.Kind.CELL, "bad", List.of(new Dim("D")),
                List.of(Decl.input("x", Type.vec("D"), P)), List.of(),
                List.of(Decl.state("c", Type.vec("D"), 0, P)), List.of(Decl.output("h", Type.vec("D"), P)), List.of(),
                List.of(Stmt.output("h", useNext, P), Stmt.next("c", S, P)), P);
        List<IrException> errors = IrVerifier.verify(bad);
        assertTrue(errors.stream().anyMatch(x -> x.getMessage().contains("c'")), errors.toString());
        assertTrue(errors.stream().anyMatch(x -> x.getMessage().contains("has type scalar")), errors.toString());
    }

    @Test
    void printerShowsTypesAndPrimes() {
        CellIR c = Sources.cell(Sources.MLSTM);
        String s = IrPrinter.print(c);
        assertTrue(s.contains("next m': scalar = max(lf + m, i)"), s);
        assertTrue(s.contains("out  h: vec[DV] = matvec(qs, C') / (max(abs(dot(qs, n')), exp(-m')) + eps)"), s);
        assertTrue(s.contains("state  C: mat[DQK, DV] = 0"), s);
        assertTrue(s.contains("param  eps: float = 1.0E-6"), s);
        assertEquals("a - (b - c)", IrPrinter.expr(Typing.binary(BinOp.SUB, ref("a"), Typing.binary(BinOp.SUB, ref("b"), ref("c"), P), P)));
        assertEquals("(a + b) * c", IrPrinter.expr(Typing.binary(BinOp.MUL, Typing.binary(BinOp.ADD, ref("a"), ref("b"), P), ref("c"), P)));
        assertTrue(IrVerifier.verify(c).isEmpty());
        assertTrue(c.param("eps").map(Param::hasDefault).orElse(false));
    }

    private static Expr ref(String n) { return Typing.ref(Expr.RefKind.INPUT, n, Type.SCALAR, P); }
}
