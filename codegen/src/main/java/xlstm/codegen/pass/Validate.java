package xlstm.codegen.pass;

import xlstm.dsl.ir.CellIR;
import xlstm.dsl.ir.Decl;
import xlstm.dsl.ir.Dim;
import xlstm.dsl.ir.Expr;
import xlstm.dsl.ir.IrException;
import xlstm.dsl.ir.IrVerifier;
import xlstm.dsl.ir.Param;
import xlstm.dsl.ir.Stmt;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Validation and shape inference: {@link IrVerifier} (names, SSA order, types of every node against the typing
 * rules, declared types of next states and outputs) plus the rules of the code generators: names that collide
 * with generated arguments ({@code B, NH, S, chunkSize, rows}) or start with an underscore are rejected,
 * {@code all_zero} only in cells, a kernel has at least one output.
 */
public final class Validate implements Pass {
    public static final Set<String> RESERVED = Set.of("B", "NH", "S", "chunkSize", "rows");

    @Override public String name() { return "validate"; }

    @Override public CellIR run(CellIR cell) {
        List<IrException> errors = new ArrayList<>(IrVerifier.verify(cell));
        List<String> names = new ArrayList<>();
        for (Dim d : cell.dims()) names.add(d.name());
        for (Decl d : cell.tensorArgs()) names.add(d.name());
        for (Param p : cell.params()) names.add(p.name());
        for (Stmt s : cell.body()) if (s.kind() == Stmt.Kind.LET) names.add(s.name());
        for (String n : names) {
            if (RESERVED.contains(n))
                errors.add(new IrException(cell.pos(), "'" + n + "' is reserved for a generated argument; rename it"));
            if (n.startsWith("_"))
                errors.add(new IrException(cell.pos(), "names starting with '_' are reserved for generated code: '" + n + "'"));
        }
        if (!cell.isCell())
            for (Stmt s : cell.body())
                if (Exprs.any(s.value(), e -> e instanceof Expr.Call c && c.fn() == xlstm.dsl.ir.Builtin.ALL_ZERO))
                    errors.add(new IrException(s.pos(), "all_zero is only meaningful in a cell"));
        if (cell.outputs().isEmpty() && cell.states().isEmpty())
            errors.add(new IrException(cell.pos(), cell.kind().keyword() + " '" + cell.name() + "' computes nothing (no output)"));
        if (!errors.isEmpty()) throw new CompileErrors(errors);
        return cell;
    }

    /** All errors of one validation. */
    public static final class CompileErrors extends RuntimeException {
        private final List<IrException> errors;

        public CompileErrors(List<IrException> errors) {
            super(errors.getFirst().formatted() + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more)" : ""));
            this.errors = List.copyOf(errors);
        }

        public List<IrException> errors() { return errors; }
    }
}
