package xlstm.codegen.pass;

import xlstm.codegen.interp.Evaluator;
import xlstm.codegen.interp.Value;
import xlstm.dsl.ir.BinOp;
import xlstm.dsl.ir.Builtin;
import xlstm.dsl.ir.CellIR;
import xlstm.dsl.ir.Expr;
import xlstm.dsl.ir.Stmt;

import java.util.ArrayList;
import java.util.List;

/**
 * Constant folding: operators and elementwise builtins over constants (evaluated in float64 by the reference
 * semantics), {@code where} / {@code &&} / {@code ||} / {@code !} over known bools, and the identities
 * {@code x*1, 1*x, x/1, x+0, 0+x, x-0} where they keep the type. Used after bool specialisation, when
 * {@code where(normalize, ...)} has a constant condition.
 */
public final class ConstantFold implements Pass {
    @Override public String name() { return "constant-fold"; }

    @Override public CellIR run(CellIR cell) {
        List<Stmt> body = new ArrayList<>();
        for (Stmt s : cell.body()) body.add(s.withValue(fold(s.value())));
        return cell.withBody(body);
    }

    public static Expr fold(Expr e) {
        return Exprs.rewrite(e, ConstantFold::foldNode);
    }

    private static boolean isConst(Expr e) { return e instanceof Expr.Const || e instanceof Expr.BoolConst; }

    private static boolean isConst(Expr e, double v) { return e instanceof Expr.Const c && c.value() == v; }

    private static Expr foldNode(Expr e) {
        switch (e) {
            case Expr.Unary u when isConst(u.x()) -> { return evalConst(e); }
            case Expr.Binary b -> {
                if (isConst(b.a()) && isConst(b.b())) return evalConst(e);
                if (b.op() == BinOp.AND || b.op() == BinOp.OR) {
                    boolean and = b.op() == BinOp.AND;
                    for (int k = 0; k < 2; k++) {
                        Expr c = k == 0 ? b.a() : b.b(), other = k == 0 ? b.b() : b.a();
                        if (c instanceof Expr.BoolConst bc) return bc.value() == and ? other : bc;
                    }
                }
                Expr kept = switch (b.op()) {
                    case MUL -> isConst(b.b(), 1) ? b.a() : isConst(b.a(), 1) ? b.b() : null;
                    case DIV -> isConst(b.b(), 1) ? b.a() : null;
                    case ADD -> isConst(b.b(), 0) ? b.a() : isConst(b.a(), 0) ? b.b() : null;
                    case SUB -> isConst(b.b(), 0) ? b.a() : null;
                    default -> null;
                };
                if (kept != null && kept.type().equals(b.type())) return kept;
                return e;
            }
            case Expr.Call c -> {
                if (c.fn() == Builtin.WHERE && c.arg(0) instanceof Expr.BoolConst bc) {
                    Expr chosen = bc.value() ? c.arg(1) : c.arg(2);
                    return chosen.type().equals(c.type()) ? chosen : e;
                }
                if (c.fn().elementwise() && c.args().stream().allMatch(ConstantFold::isConst)) return evalConst(e);
                return e;
            }
            default -> { return e; }
        }
    }

    private static Expr evalConst(Expr e) {
        Value v = new Evaluator(r -> { throw new IllegalStateException(); }, n -> { throw new IllegalStateException(); }).eval(e);
        return v.bool() ? new Expr.BoolConst(v.b(), e.pos()) : new Expr.Const(v.s(), e.pos());
    }
}
