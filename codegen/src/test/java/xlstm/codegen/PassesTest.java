package xlstm.codegen;

import org.junit.jupiter.api.Test;
import xlstm.codegen.pass.ConstantFold;
import xlstm.codegen.pass.DeadCode;
import xlstm.codegen.pass.Specialize;
import xlstm.codegen.pass.Validate;
import xlstm.dsl.ir.CellIR;
import xlstm.dsl.ir.Decl;
import xlstm.dsl.ir.Dim;
import xlstm.dsl.ir.SourcePos;
import xlstm.dsl.ir.Type;
import xlstm.dsl.ir.Typing;
import xlstm.dsl.ir.Expr;
import xlstm.dsl.ir.IrPrinter;
import xlstm.dsl.ir.Stmt;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class PassesTest {
    @Test
    void constantFoldingFoldsConstantsAndIdentities() {
        CellIR c = Sources.cell("""
                kernel k(N) {
                  input x: vec[N]
                  output y: vec[N]
                  body { y = x * (exp(0) * 1) + (2 - 2) + where(1 < 2, 3, 4) * x }
                }
                """);
        CellIR f = new ConstantFold().run(c);
        assertEquals("x + 3 * x", IrPrinter.expr(f.body().getFirst().value()));
    }

    @Test
    void specialisationRemovesTheBoolParam() {
        CellIR c = Sources.cell(Sources.MLSTM_SIG);
        List<Specialize.Variant> vs = Specialize.variants(c);
        assertEquals(2, vs.size());
        assertEquals(true, vs.get(0).bools().get("normalize"), "the default assignment comes first");
        assertEquals("_normalize", vs.get(0).suffix());
        assertEquals("_noNormalize", vs.get(1).suffix());
        String h0 = IrPrinter.expr(vs.get(0).ir().def(Stmt.Kind.OUTPUT, "h").orElseThrow().value());
        String h1 = IrPrinter.expr(vs.get(1).ir().def(Stmt.Kind.OUTPUT, "h").orElseThrow().value());
        assertEquals("matvec(qs, C') / (max(abs(dot(qs, n')), 1) + eps)", h0);
        assertEquals("matvec(qs, C')", h1);
    }

    @Test
    void deadCodeDropsUnusedLets() {
        CellIR c = Sources.cell("""
                kernel k(N) {
                  input x: vec[N]
                  output y: vec[N]
                  body {
                    a = exp(x)
                    b = a * 2
                    y = x
                  }
                }
                """);
        CellIR d = new DeadCode().run(c);
        assertEquals(1, d.body().size());
        assertEquals(Stmt.Kind.OUTPUT, d.body().getFirst().kind());
    }

    @Test
    void validateRejectsReservedNames() {
        // the front-end already rejects these; IR built by other tools goes through the same check here
        SourcePos p = new SourcePos("test.xl", 1, 10);
        Expr x = Typing.ref(Expr.RefKind.INPUT, "_x", Type.vec("S"), p);
        CellIR c = new CellIR(CellIR.Kind.KERNEL, "k", List.of(new Dim("S")), List.of(Decl.input("_x", Type.vec("S"), p)),
                List.of(), List.of(), List.of(Decl.output("y", Type.vec("S"), p)), List.of(), List.of(Stmt.output("y", x, p)), p);
        Validate.CompileErrors e = assertThrows(Validate.CompileErrors.class, () -> new Validate().run(c));
        assertTrue(e.getMessage().contains("'S' is reserved"), e.getMessage());
        assertTrue(e.getMessage().startsWith("test.xl:1:10:"), e.getMessage());
        assertEquals(2, e.errors().size(), e.errors().toString());
    }

    @Test
    void foldingKeepsTypesOfBroadcastWhere() {
        CellIR c = Sources.cell("""
                kernel k(N) {
                  input x: vec[N]
                  output y: vec[N]
                  body { y = where(true, 1, x) }
                }
                """);
        Expr e = new ConstantFold().run(c).body().getFirst().value();
        assertEquals(c.body().getFirst().type(), e.type(), "where(true, scalar, vec) must keep the vec type");
    }
}
