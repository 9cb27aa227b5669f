package xlstm.codegen.autodiff;

import xlstm.codegen.pass.DeadCode;
import xlstm.codegen.pass.Exprs;
import xlstm.dsl.ir.CellIR;
import xlstm.dsl.ir.Expr;
import xlstm.dsl.ir.Stmt;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The forward step reduced to its state update (outputs become lets, then dead code goes): what the backward
 * recomputes between checkpoints, where the outputs are not needed.
 */
public final class StatesOnly {
    private StatesOnly() {}

    public static CellIR of(CellIR cell) {
        Names names = new Names(cell);
        Map<String, String> outLet = new HashMap<>();
        List<Stmt> body = new ArrayList<>();
        for (Stmt s : cell.body()) {
            Expr v = Exprs.rewrite(s.value(), x -> x instanceof Expr.Ref r && r.kind() == Expr.RefKind.OUTPUT
                    ? new Expr.Ref(Expr.RefKind.LET, outLet.get(r.name()), r.type(), r.pos()) : x);
            if (s.kind() == Stmt.Kind.OUTPUT) {
                String n = names.fresh(s.name() + "_out");
                outLet.put(s.name(), n);
                body.add(Stmt.let(n, v, s.pos()));
            } else {
                body.add(s.withValue(v));
            }
        }
        CellIR reduced = new CellIR(cell.kind(), cell.name(), cell.dims(), cell.inputs(), cell.weights(), cell.states(),
                List.of(), cell.params(), body, cell.pos());
        return new DeadCode().run(reduced);
    }
}
