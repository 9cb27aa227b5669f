package xlstm.dsl.ir;

import java.util.List;

/**
 * Typed construction of {@link Expr} nodes: each factory infers the result type and throws {@link IrException} on a
 * type error. Rules: arithmetic and elementwise builtins take equal types or broadcast a scalar; dims must match
 * by name; comparisons take scalars and give bool; see {@link Builtin} for products and reductions.
 */
public final class Typing {
    private Typing() {}

    public static Expr.Const constant(double v, SourcePos pos) { return new Expr.Const(v, pos); }

    public static Expr.BoolConst bool(boolean v, SourcePos pos) { return new Expr.BoolConst(v, pos); }

    public static Expr.Ref ref(Expr.RefKind kind, String name, Type type, SourcePos pos) {
        if (kind == Expr.RefKind.DIM && !(type instanceof Type.Scalar))
            throw new IrException(pos, "dim '" + name + "' used as a value is a scalar");
        return new Expr.Ref(kind, name, type, pos);
    }

    /** A reference to a dim, used as a scalar value ({@code rsqrt(DQK)}). */
    public static Expr.Ref dim(String name, SourcePos pos) {
        return new Expr.Ref(Expr.RefKind.DIM, name, Type.SCALAR, pos);
    }

    public static Expr unary(UnOp op, Expr x, SourcePos pos) {
        switch (op) {
            case NEG -> requireReal(x, "operand of unary '-'");
            case NOT -> requireBool(x, "operand of '!'");
        }
        return new Expr.Unary(op, x, x.type(), pos);
    }

    public static Expr binary(BinOp op, Expr a, Expr b, SourcePos pos) {
        Type t;
        if (op.arithmetic()) {
            requireReal(a, "left operand of '" + op.symbol() + "'");
            requireReal(b, "right operand of '" + op.symbol() + "'");
            t = broadcast(a.type(), b.type(), "'" + op.symbol() + "'", pos);
        } else if (op.comparison()) {
            requireScalar(a, "left operand of '" + op.symbol() + "'");
            requireScalar(b, "right operand of '" + op.symbol() + "'");
            t = Type.BOOL;
        } else {
            requireBool(a, "left operand of '" + op.symbol() + "'");
            requireBool(b, "right operand of '" + op.symbol() + "'");
            t = Type.BOOL;
        }
        return new Expr.Binary(op, a, b, t, pos);
    }

    public static Expr.Call call(Builtin fn, List<Expr> args, SourcePos pos) {
        if (args.size() != fn.arity())
            throw new IrException(pos, fn.dslName() + " takes " + fn.arity() + " argument" + (fn.arity() == 1 ? "" : "s")
                    + ", got " + args.size());
        String where = "argument of " + fn.dslName();
        Type t = switch (fn) {
            case EXP, LOG, LOGSIGMOID, SIGMOID, TANH, SILU, GELU, RELU, SELU, ABS, SQRT, RSQRT, HEAVISIDE -> {
                requireReal(args.get(0), where);
                yield args.get(0).type();
            }
            case MAX, MIN -> {
                requireReal(args.get(0), where);
                requireReal(args.get(1), where);
                yield broadcast(args.get(0).type(), args.get(1).type(), fn.dslName(), pos);
            }
            case SOFTCAP -> {
                requireReal(args.get(0), where);
                requireScalar(args.get(1), "cap (second argument) of softcap");
                yield args.get(0).type();
            }
            case OUTER -> {
                Type.Vec a = requireVec(args.get(0), "first argument of outer");
                Type.Vec b = requireVec(args.get(1), "second argument of outer");
                yield new Type.Mat(a.d(), b.d());
            }
            case DOT -> {
                Type.Vec a = requireVec(args.get(0), "first argument of dot");
                Type.Vec b = requireVec(args.get(1), "second argument of dot");
                if (!a.equals(b)) throw new IrException(pos, "dot of " + a + " and " + b + ": sizes differ");
                yield Type.SCALAR;
            }
            case MATVEC -> {
                Type a = args.get(0).type(), b = args.get(1).type();
                if (a instanceof Type.Vec x && b instanceof Type.Mat m) {
                    if (!x.d().equals(m.rows()))
                        throw new IrException(pos, "matvec(" + a + ", " + b + "): vector size must equal the matrix rows");
                    yield new Type.Vec(m.cols());
                } else if (a instanceof Type.Mat m && b instanceof Type.Vec x) {
                    if (!x.d().equals(m.cols()))
                        throw new IrException(pos, "matvec(" + a + ", " + b + "): vector size must equal the matrix columns");
                    yield new Type.Vec(m.rows());
                }
                throw new IrException(pos, "matvec takes (vec, mat) or (mat, vec), got (" + a + ", " + b + ")");
            }
            case SUM -> {
                requireReal(args.get(0), where);
                yield Type.SCALAR;
            }
            case WHERE -> {
                requireBool(args.get(0), "condition of where");
                Type a = args.get(1).type(), b = args.get(2).type();
                if (a.isBool() && b.isBool()) yield Type.BOOL;
                requireReal(args.get(1), "second argument of where");
                requireReal(args.get(2), "third argument of where");
                yield broadcast(a, b, "where", pos);
            }
            case ALL_ZERO -> {
                if (!(args.get(0) instanceof Expr.Ref r) || r.kind() != Expr.RefKind.STATE)
                    throw new IrException(args.get(0).pos(), "all_zero takes a state (its value before the step)");
                yield Type.BOOL;
            }
        };
        return new Expr.Call(fn, args, t, pos);
    }

    public static Expr.Call call(Builtin fn, SourcePos pos, Expr... args) { return call(fn, List.of(args), pos); }

    /** The common type of two real operands: equal types, or a scalar broadcast to the other. */
    public static Type broadcast(Type a, Type b, String what, SourcePos pos) {
        if (a.equals(b)) return a;
        if (a instanceof Type.Scalar) return b;
        if (b instanceof Type.Scalar) return a;
        throw new IrException(pos, "operands of " + what + " have incompatible types " + a + " and " + b);
    }

    private static void requireReal(Expr e, String what) {
        if (!e.type().isReal()) throw new IrException(e.pos(), what + " must be a number, not bool");
    }

    private static void requireBool(Expr e, String what) {
        if (!e.type().isBool()) throw new IrException(e.pos(), what + " must be a bool, not " + e.type());
    }

    private static void requireScalar(Expr e, String what) {
        if (!(e.type() instanceof Type.Scalar)) throw new IrException(e.pos(), what + " must be a scalar, not " + e.type());
    }

    private static Type.Vec requireVec(Expr e, String what) {
        if (e.type() instanceof Type.Vec v) return v;
        throw new IrException(e.pos(), what + " must be a vec, not " + e.type());
    }
}
