package xlstm.dsl.ir;

import java.util.List;

/**
 * Expression nodes of the step body. Every node carries its {@link Type}; build them through {@link Typing} to get
 * types inferred and checked. Nodes are immutable trees (sharing subtrees is allowed); names refer to declarations of
 * the enclosing {@link CellIR} or to earlier definitions of its body (SSA: each name is defined once).
 */
public sealed interface Expr permits Expr.Const, Expr.BoolConst, Expr.Ref, Expr.Unary, Expr.Binary, Expr.Call {

    Type type();

    /** Source position of the expression (may be {@link SourcePos#NONE} for synthesised nodes). */
    SourcePos pos();

    /** The children in evaluation order. */
    default List<Expr> children() {
        return switch (this) {
            case Const c -> List.of();
            case BoolConst b -> List.of();
            case Ref r -> List.of();
            case Unary u -> List.of(u.x());
            case Binary b -> List.of(b.a(), b.b());
            case Call c -> c.args();
        };
    }

    /** A real scalar constant. */
    record Const(double value, SourcePos pos) implements Expr {
        public Type type() { return Type.SCALAR; }
    }

    /** A boolean constant. */
    record BoolConst(boolean value, SourcePos pos) implements Expr {
        public Type type() { return Type.BOOL; }
    }

    /** What a {@link Ref} names. */
    enum RefKind {
        /** a per-step input of the cell/kernel */
        INPUT,
        /** a weight (per head; shared by batch and time) */
        WEIGHT,
        /** the value of a state before the step */
        STATE,
        /** the value of a state after the step ({@code C'}), defined earlier in the body */
        NEXT_STATE,
        /** a local definition of the body */
        LET,
        /** an output defined earlier in the body */
        OUTPUT,
        /** a float or bool parameter */
        PARAM,
        /** a symbolic size used as a scalar value, e.g. {@code rsqrt(DQK)} */
        DIM
    }

    /** A reference by name. For NEXT_STATE the name is the state's name (printed with a prime). */
    record Ref(RefKind kind, String name, Type type, SourcePos pos) implements Expr {}

    record Unary(UnOp op, Expr x, Type type, SourcePos pos) implements Expr {}

    record Binary(BinOp op, Expr a, Expr b, Type type, SourcePos pos) implements Expr {}

    record Call(Builtin fn, List<Expr> args, Type type, SourcePos pos) implements Expr {
        public Call {
            args = List.copyOf(args);
        }

        public Expr arg(int i) { return args.get(i); }
    }
}
