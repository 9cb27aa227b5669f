package xlstm.codegen.pass;

import xlstm.dsl.ir.Builtin;
import xlstm.dsl.ir.CellIR;
import xlstm.dsl.ir.Expr;
import xlstm.dsl.ir.Stmt;
import xlstm.dsl.ir.SourcePos;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Common-subexpression elimination: a subtree that occurs more than once becomes a let, defined just before its
 * first use. Only where that saves work in the emitted code: scalar subtrees of a few nodes (a local each) and any
 * subtree with a reduction or product ({@code dot, matvec, sum}, a loop each); elementwise vec/mat subtrees stay
 * fused into the loops that read them. The derived adjoints need it: a rule reuses its node's operands, so a
 * denominator or a reduction appears once per use.
 */
public final class CommonSubexpressions implements Pass {
    @Override public String name() { return "cse"; }

    @Override public CellIR run(CellIR cell) {
        Set<String> taken = new HashSet<>();
        cell.dims().forEach(d -> taken.add(d.name()));
        cell.tensorArgs().forEach(d -> taken.add(d.name()));
        cell.params().forEach(p -> taken.add(p.name()));
        cell.body().forEach(s -> taken.add(s.name()));
        List<Stmt> body = new ArrayList<>(cell.body());
        int next = 1;
        while (true) {
            Map<String, Integer> count = new HashMap<>();
            Map<String, Expr> byKey = new HashMap<>();
            for (Stmt s : body) collect(s.value(), count, byKey);
            Expr best = null;
            for (var e : count.entrySet()) {
                Expr x = byKey.get(e.getKey());
                if (e.getValue() >= 2 && worth(x) && (best == null || Exprs.size(x) > Exprs.size(best))) best = x;
            }
            if (best == null) break;
            String key = Exprs.key(best);
            int first = 0;
            while (!Exprs.any(body.get(first).value(), x -> Exprs.key(x).equals(key))) first++;
            // the first occurrence may already be a let of its own: the others read it
            Stmt firstStmt = body.get(first);
            boolean reuse = firstStmt.kind() == Stmt.Kind.LET && Exprs.key(firstStmt.value()).equals(key);
            String name = reuse ? firstStmt.name() : null;
            while (name == null) if (taken.add("cse" + next)) name = "cse" + next++; else next++;
            Expr ref = new Expr.Ref(Expr.RefKind.LET, name, best.type(), SourcePos.NONE);
            for (int k = reuse ? first + 1 : first; k < body.size(); k++) {
                Stmt s = body.get(k);
                body.set(k, s.withValue(Exprs.rewrite(s.value(), x -> Exprs.key(x).equals(key) ? ref : x)));
            }
            if (!reuse) body.add(first, Stmt.let(name, best, SourcePos.NONE));
        }
        return cell.withBody(body);
    }

    private static void collect(Expr e, Map<String, Integer> count, Map<String, Expr> byKey) {
        if (!(e instanceof Expr.Ref || e instanceof Expr.Const || e instanceof Expr.BoolConst) && e.type().isReal()) {
            String k = Exprs.key(e);
            count.merge(k, 1, Integer::sum);
            byKey.putIfAbsent(k, e);
        }
        for (Expr c : e.children()) collect(c, count, byKey);
    }

    private static boolean worth(Expr e) {
        boolean reduction = Exprs.any(e, x -> x instanceof Expr.Call c
                && (c.fn() == Builtin.DOT || c.fn() == Builtin.MATVEC || c.fn() == Builtin.SUM));
        return reduction || e.type().rank() == 0 && Exprs.size(e) >= 3
                && !Exprs.any(e, x -> x instanceof Expr.Call c && c.fn() == Builtin.ALL_ZERO);
    }
}
