package xlstm.codegen.pass;

import xlstm.dsl.ir.CellIR;
import xlstm.dsl.ir.Expr;
import xlstm.dsl.ir.IrPrinter;
import xlstm.dsl.ir.Stmt;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/** Small utilities over expression trees: bottom-up rewriting, let inlining, structural keys, queries. */
public final class Exprs {
    private Exprs() {}

    /**
     * Rebuilds {@code e} bottom-up: children first, then {@code f} is applied to the node with rewritten children;
     * f returns the node itself to keep it.
     */
    public static Expr rewrite(Expr e, Function<Expr, Expr> f) {
        Expr rebuilt = switch (e) {
            case Expr.Const c -> c;
            case Expr.BoolConst b -> b;
            case Expr.Ref r -> r;
            case Expr.Unary u -> {
                Expr x = rewrite(u.x(), f);
                yield x == u.x() ? u : new Expr.Unary(u.op(), x, u.type(), u.pos());
            }
            case Expr.Binary b -> {
                Expr x = rewrite(b.a(), f), y = rewrite(b.b(), f);
                yield x == b.a() && y == b.b() ? b : new Expr.Binary(b.op(), x, y, b.type(), b.pos());
            }
            case Expr.Call c -> {
                List<Expr> args = new ArrayList<>();
                boolean same = true;
                for (Expr a : c.args()) {
                    Expr r = rewrite(a, f);
                    same &= r == a;
                    args.add(r);
                }
                yield same ? c : new Expr.Call(c.fn(), args, c.type(), c.pos());
            }
        };
        return f.apply(rebuilt);
    }

    /** Structural key of an expression (ignores source positions). */
    public static String key(Expr e) {
        return IrPrinter.expr(e);
    }

    public static boolean same(Expr a, Expr b) {
        return key(a).equals(key(b));
    }

    public static boolean any(Expr e, Predicate<Expr> p) {
        if (p.test(e)) return true;
        for (Expr c : e.children()) if (any(c, p)) return true;
        return false;
    }

    public static boolean refersTo(Expr e, Expr.RefKind kind) {
        return any(e, x -> x instanceof Expr.Ref r && r.kind() == kind);
    }

    public static boolean refersTo(Expr e, Expr.RefKind kind, String name) {
        return any(e, x -> x instanceof Expr.Ref r && r.kind() == kind && r.name().equals(name));
    }

    /** True when e reads only inputs, weights, params, dims and constants (nothing of the recurrence). */
    public static boolean stateless(Expr e) {
        return !any(e, x -> x instanceof Expr.Ref r && (r.kind() == Expr.RefKind.STATE || r.kind() == Expr.RefKind.NEXT_STATE
                || r.kind() == Expr.RefKind.LET || r.kind() == Expr.RefKind.OUTPUT)
                || x instanceof Expr.Call c && c.fn() == xlstm.dsl.ir.Builtin.ALL_ZERO);
    }

    /** True when e reads only params, dims and constants. */
    public static boolean constantPerCall(Expr e) {
        return !any(e, x -> x instanceof Expr.Ref r && r.kind() != Expr.RefKind.PARAM && r.kind() != Expr.RefKind.DIM
                || x instanceof Expr.Call c && c.fn() == xlstm.dsl.ir.Builtin.ALL_ZERO);
    }

    /** The value of every LET with all LET references inlined (outputs and next states stay references). */
    public static Map<String, Expr> inlinedLets(CellIR cell) {
        Map<String, Expr> lets = new HashMap<>();
        for (Stmt s : cell.body())
            if (s.kind() == Stmt.Kind.LET) lets.put(s.name(), inlineLets(s.value(), lets));
        return lets;
    }

    public static Expr inlineLets(Expr e, Map<String, Expr> lets) {
        return rewrite(e, x -> x instanceof Expr.Ref r && r.kind() == Expr.RefKind.LET && lets.containsKey(r.name())
                ? lets.get(r.name()) : x);
    }

    /** Number of nodes. */
    public static int size(Expr e) {
        int n = 1;
        for (Expr c : e.children()) n += size(c);
        return n;
    }
}
