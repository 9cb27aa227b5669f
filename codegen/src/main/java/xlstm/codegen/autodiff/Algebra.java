package xlstm.codegen.autodiff;

import xlstm.dsl.ir.BinOp;
import xlstm.dsl.ir.Builtin;
import xlstm.dsl.ir.Expr;
import xlstm.dsl.ir.SourcePos;
import xlstm.dsl.ir.Type;
import xlstm.dsl.ir.Typing;
import xlstm.dsl.ir.UnOp;

import java.util.List;

/**
 * Typed expression builders for derivatives (through {@link Typing}, so every node is checked), with the few
 * simplifications that keep the adjoint readable: {@code null} is a zero cotangent, {@code 1 * x = x},
 * {@code -(c) = -c}.
 */
final class Algebra {
    private Algebra() {}

    static final SourcePos AD = SourcePos.NONE;

    static Expr c(double v) { return Typing.constant(v, AD); }

    static boolean isConst(Expr e, double v) { return e instanceof Expr.Const k && k.value() == v; }

    /** a + b where null is zero. */
    static Expr add(Expr a, Expr b) {
        if (a == null) return b;
        if (b == null) return a;
        return Typing.binary(BinOp.ADD, a, b, AD);
    }

    static Expr sum(List<Expr> terms) {
        Expr s = null;
        for (Expr t : terms) s = add(s, t);
        return s;
    }

    static Expr sub(Expr a, Expr b) { return Typing.binary(BinOp.SUB, a, b, AD); }

    static Expr mul(Expr a, Expr b) {
        if (isConst(a, 1)) return b;
        if (isConst(b, 1)) return a;
        return Typing.binary(BinOp.MUL, a, b, AD);
    }

    static Expr div(Expr a, Expr b) { return Typing.binary(BinOp.DIV, a, b, AD); }

    static Expr neg(Expr a) {
        if (a instanceof Expr.Const k) return c(-k.value());
        if (a instanceof Expr.Unary u && u.op() == UnOp.NEG) return u.x();
        return Typing.unary(UnOp.NEG, a, AD);
    }

    static Expr call(Builtin fn, Expr... args) { return Typing.call(fn, AD, args); }

    /** The cotangent of a broadcast operand: summed over the broadcast axes when the operand is a scalar. */
    static Expr reduceTo(Expr g, Type operand) {
        if (g == null) return null;
        return operand.rank() == 0 && g.type().rank() > 0 ? call(Builtin.SUM, g) : g;
    }

    /** {@code v} with exactly type {@code t}: a scalar is spread over {@code witness} (any value of type t). */
    static Expr spread(Expr v, Type t, Expr witness) {
        if (v.type().equals(t)) return v;
        if (v.type().rank() != 0 || witness == null || !witness.type().equals(t))
            throw new IllegalStateException("cannot give " + v.type() + " the type " + t);
        return call(Builtin.WHERE, Typing.bool(true, AD), v, witness);
    }
}
