package xlstm.codegen.schedule;

import xlstm.codegen.pass.Exprs;
import xlstm.dsl.ir.BinOp;
import xlstm.dsl.ir.Expr;
import xlstm.dsl.ir.SourcePos;
import xlstm.dsl.ir.UnOp;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A scalar expression seen as {@code constant + sum_k coeff_k * term_k}, where terms are the maximal
 * sub-expressions that are not {@code + - neg} or multiplication by a constant. Lets the schedule matcher compare
 * {@code lf + m - m'} with {@code (lf + m) - m'} or {@code m + lf - m'}.
 */
public final class LinearForm {
    private final Map<String, Expr> terms = new LinkedHashMap<>();
    private final Map<String, Double> coeffs = new LinkedHashMap<>();
    private double constant;

    private LinearForm() {}

    public static LinearForm of(Expr e) {
        LinearForm f = new LinearForm();
        f.add(e, 1);
        return f;
    }

    private void add(Expr e, double k) {
        switch (e) {
            case Expr.Const c -> constant += k * c.value();
            case Expr.Unary u when u.op() == UnOp.NEG -> add(u.x(), -k);
            case Expr.Binary b when b.op() == BinOp.ADD -> { add(b.a(), k); add(b.b(), k); }
            case Expr.Binary b when b.op() == BinOp.SUB -> { add(b.a(), k); add(b.b(), -k); }
            case Expr.Binary b when b.op() == BinOp.MUL && b.a() instanceof Expr.Const c -> add(b.b(), k * c.value());
            case Expr.Binary b when b.op() == BinOp.MUL && b.b() instanceof Expr.Const c -> add(b.a(), k * c.value());
            default -> {
                String key = Exprs.key(e);
                terms.putIfAbsent(key, e);
                double v = coeffs.getOrDefault(key, 0.0) + k;
                if (v == 0) { coeffs.remove(key); terms.remove(key); }
                else coeffs.put(key, v);
            }
        }
    }

    public LinearForm minus(LinearForm o) {
        LinearForm r = copy();
        r.constant -= o.constant;
        o.coeffs.forEach((k, v) -> {
            double nv = r.coeffs.getOrDefault(k, 0.0) - v;
            if (nv == 0) { r.coeffs.remove(k); r.terms.remove(k); }
            else { r.coeffs.put(k, nv); r.terms.putIfAbsent(k, o.terms.get(k)); }
        });
        return r;
    }

    private LinearForm copy() {
        LinearForm r = new LinearForm();
        r.terms.putAll(terms);
        r.coeffs.putAll(coeffs);
        r.constant = constant;
        return r;
    }

    /** The coefficient of a reference term (e.g. state m), 0 when absent. */
    public double coeff(Expr.RefKind kind, String name) {
        return coeffs.getOrDefault(Exprs.key(new Expr.Ref(kind, name, xlstm.dsl.ir.Type.SCALAR, SourcePos.NONE)), 0.0);
    }

    /** This form without the given reference term. */
    public LinearForm without(Expr.RefKind kind, String name) {
        LinearForm r = copy();
        String key = Exprs.key(new Expr.Ref(kind, name, xlstm.dsl.ir.Type.SCALAR, SourcePos.NONE));
        r.coeffs.remove(key);
        r.terms.remove(key);
        return r;
    }

    public boolean isZero() { return coeffs.isEmpty() && constant == 0; }

    public boolean sameAs(LinearForm o) { return minus(o).isZero(); }

    /** True when no term refers to a state, next state, let or output. */
    public boolean stateless() { return terms.values().stream().allMatch(Exprs::stateless); }

    /** Rebuilds an expression (terms in first-seen order, then the constant). */
    public Expr toExpr() {
        Expr acc = null;
        for (var en : terms.entrySet()) {
            double k = coeffs.get(en.getKey());
            Expr t = en.getValue();
            Expr term = k == 1 || k == -1 ? t : new Expr.Binary(BinOp.MUL, new Expr.Const(Math.abs(k), t.pos()), t, t.type(), t.pos());
            if (acc == null) acc = k < 0 ? new Expr.Unary(UnOp.NEG, term, term.type(), term.pos()) : term;
            else acc = new Expr.Binary(k < 0 ? BinOp.SUB : BinOp.ADD, acc, term, acc.type(), t.pos());
        }
        if (acc == null) return new Expr.Const(constant, SourcePos.NONE);
        if (constant != 0)
            acc = new Expr.Binary(constant < 0 ? BinOp.SUB : BinOp.ADD, acc, new Expr.Const(Math.abs(constant), SourcePos.NONE),
                    acc.type(), SourcePos.NONE);
        return acc;
    }

    @Override public String toString() { return xlstm.dsl.ir.IrPrinter.expr(toExpr()); }
}
