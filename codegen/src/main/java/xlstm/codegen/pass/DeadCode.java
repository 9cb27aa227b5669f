package xlstm.codegen.pass;

import xlstm.dsl.ir.CellIR;
import xlstm.dsl.ir.Expr;
import xlstm.dsl.ir.Stmt;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Removes lets that no next state or output needs (e.g. after {@code where} folding). */
public final class DeadCode implements Pass {
    @Override public String name() { return "dead-code"; }

    @Override public CellIR run(CellIR cell) {
        Set<String> live = new HashSet<>();
        List<Stmt> kept = new ArrayList<>();
        List<Stmt> body = cell.body();
        for (int k = body.size() - 1; k >= 0; k--) {
            Stmt s = body.get(k);
            if (s.kind() == Stmt.Kind.LET && !live.contains(s.name())) continue;
            kept.add(s);
            Exprs.any(s.value(), e -> {
                if (e instanceof Expr.Ref r && r.kind() == Expr.RefKind.LET) live.add(r.name());
                return false;
            });
        }
        Collections.reverse(kept);
        return kept.size() == body.size() ? cell : cell.withBody(kept);
    }
}
