package xlstm.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import xlstm.dsl.ast.AstFile;
import xlstm.dsl.ir.Builtin;
import xlstm.dsl.ir.CellIR;
import xlstm.dsl.ir.Decl;
import xlstm.dsl.ir.Expr;
import xlstm.dsl.ir.IrModule;
import xlstm.dsl.ir.IrVerifier;
import xlstm.dsl.ir.Param;
import xlstm.dsl.ir.Stmt;
import xlstm.dsl.ir.Type;

/** The DSL files the build compiles (module generated) parse, check and lower to the IR the glue contract expects. */
class ShippedSourcesTest {
    private static final Path ROOT = Path.of("..", "generated", "src", "main", "xlstm");

    private static List<AstFile> asts;
    private static Map<String, CellIR> units;

    @BeforeAll
    static void compileAll() throws IOException {
        asts = Dsl.parse(Dsl.findSources(ROOT));
        units = Dsl.lower(asts).stream().flatMap(m -> m.units().stream())
                .collect(Collectors.toMap(CellIR::name, Function.identity()));
    }

    @Test
    void theShippedFilesAreFound() throws IOException {
        List<String> names = Dsl.findSources(ROOT).stream().map(p -> ROOT.relativize(p).toString().replace('\\', '/')).toList();
        assertTrue(names.containsAll(List.of("blocks/pointwise.xl", "cells/mlstm.xl", "cells/mlstm_sig.xl", "cells/slstm.xl")),
                names.toString());
    }

    @Test
    void everyUnitPassesTheIrVerifierAndDumps() {
        units.values().forEach(u -> assertEquals(List.of(), IrVerifier.verify(u), u.name()));
        for (AstFile ast : asts) assertTrue(Dsl.dumpAst(ast).contains(ast.definitions().getFirst().name().name()));
        for (IrModule m : Dsl.lower(asts)) assertFalse(Dsl.dumpIr(m).isBlank());
    }

    @Test
    void mlstm() {
        CellIR c = units.get("mlstm");
        assertEquals(CellIR.Kind.CELL, c.kind());
        assertEquals("DQK, DV", dims(c));
        assertEquals(List.of("q", "k", "v", "i", "f", "C", "n", "m", "h"), c.tensorArgs().stream().map(Decl::name).toList());
        assertEquals(Type.mat("DQK", "DV"), c.decl("C").orElseThrow().type());
        assertTrue(c.states().stream().allMatch(s -> s.init() == 0));
        assertEquals(List.of(Param.ofFloat("eps", 1e-6, c.param("eps").orElseThrow().pos())), c.params());
        assertEquals(List.of("LET lf", "NEXT_STATE m", "LET fg", "LET ig", "NEXT_STATE C", "NEXT_STATE n", "LET qs",
                "OUTPUT h"), body(c));
        assertEquals("MAX(ADD(let lf, state m), input i)", value(c, Stmt.Kind.NEXT_STATE, "m"));
        assertEquals("ADD(MUL(let fg, state C), MUL(let ig, OUTER(input k, input v)))", value(c, Stmt.Kind.NEXT_STATE, "C"));
        assertEquals("MUL(input q, RSQRT(dim DQK))", value(c, Stmt.Kind.LET, "qs"));
        Expr.Call readOut = (Expr.Call) ((Expr.Binary) c.def(Stmt.Kind.OUTPUT, "h").orElseThrow().value()).a();
        assertTrue(Builtin.isVecMat(readOut), "h reads q^T C");
    }

    @Test
    void mlstmSig() {
        CellIR c = units.get("mlstm_sig");
        assertEquals(List.of("q", "k", "v", "i", "f", "C", "n", "h"), c.tensorArgs().stream().map(Decl::name).toList());
        assertEquals(List.of("eps", "normalize"), c.params().stream().map(Param::name).toList());
        assertTrue(c.param("normalize").orElseThrow().isBool());
        assertTrue(c.param("normalize").orElseThrow().defaultBool());
        assertTrue(value(c, Stmt.Kind.OUTPUT, "h").startsWith("WHERE(param normalize, DIV("));
    }

    @Test
    void slstm() {
        CellIR c = units.get("slstm");
        assertEquals("DH", dims(c));
        assertEquals(List.of("xi", "xf", "xz", "xo"), c.inputs().stream().map(Decl::name).toList());
        assertEquals(List.of("Ri", "Rf", "Rz", "Ro", "bi", "bf", "bz", "bo"), c.weights().stream().map(Decl::name).toList());
        assertEquals(List.of("y", "c", "n", "m"), c.states().stream().map(Decl::name).toList());
        assertEquals("ADD(ADD(input xi, MATVEC(weight Ri, state y)), weight bi)", value(c, Stmt.Kind.LET, "iraw"));
        Expr.Binary iraw = (Expr.Binary) c.def(Stmt.Kind.LET, "iraw").orElseThrow().value();
        assertFalse(Builtin.isVecMat((Expr.Call) ((Expr.Binary) iraw.a()).b()), "R[out, in] times y");
        assertEquals("WHERE(ALL_ZERO(state n), let iraw, MAX(let iraw, let lfm))", value(c, Stmt.Kind.NEXT_STATE, "m"));
        assertEquals("DIV(MUL(SIGMOID(let oraw), next_state c), next_state n)", value(c, Stmt.Kind.NEXT_STATE, "y"));
        assertEquals("next_state y", value(c, Stmt.Kind.OUTPUT, "h"));
    }

    @Test
    void pointwiseKernels() {
        List<String> kernels = List.of("softcap_rows", "silu_rows", "sigmoid_gate", "mlstm_skip_gate", "ffn_swiglu",
                "ffn_gelu", "ffn_relu", "ffn_relu2", "ffn_sigmoid", "ffn_selu");
        for (String k : kernels) {
            assertEquals(CellIR.Kind.KERNEL, units.get(k).kind(), k);
            assertEquals("N", dims(units.get(k)), k);
        }
        assertEquals(15.0, units.get("softcap_rows").param("cap").orElseThrow().defaultValue());
        assertEquals("SOFTCAP(input x, param cap)", value(units.get("softcap_rows"), Stmt.Kind.OUTPUT, "y"));
        assertEquals(List.of("skip"), units.get("mlstm_skip_gate").weights().stream().map(Decl::name).toList());
        assertEquals("MUL(ADD(input h, MUL(weight skip, input xc)), SILU(input z))",
                value(units.get("mlstm_skip_gate"), Stmt.Kind.OUTPUT, "y"));
        assertEquals("MUL(MUL(RELU(input g), RELU(input g)), input u)", value(units.get("ffn_relu2"), Stmt.Kind.OUTPUT, "y"));
    }

    private static String dims(CellIR c) {
        return c.dims().stream().map(d -> d.name()).collect(Collectors.joining(", "));
    }

    private static List<String> body(CellIR c) {
        return c.body().stream().map(s -> s.kind() + " " + s.name()).toList();
    }

    private static String value(CellIR c, Stmt.Kind kind, String name) {
        return IrShape.of(c.def(kind, name).orElseThrow().value());
    }
}
