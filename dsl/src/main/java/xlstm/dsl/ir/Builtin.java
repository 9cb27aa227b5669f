package xlstm.dsl.ir;

import java.util.Locale;
import java.util.Optional;

/**
 * Built-in functions of the DSL. Type rules live in {@link Typing#call}. "Elementwise" builtins map each element of
 * a scalar/vec/mat and keep its type; the others are reductions or products.
 */
public enum Builtin {
    // elementwise, unary
    EXP(1, true), LOG(1, true), LOGSIGMOID(1, true), SIGMOID(1, true), TANH(1, true), SILU(1, true),
    GELU(1, true), RELU(1, true), SELU(1, true), ABS(1, true), SQRT(1, true), RSQRT(1, true),
    /** heaviside(x) = 1 where x > 0, else 0: the selector in derivatives of max, min, relu, abs (autodiff). */
    HEAVISIDE(1, true),
    // elementwise, binary with broadcasting of scalars
    MAX(2, true), MIN(2, true),
    /** softcap(x, cap) = cap * tanh(x / cap); cap must be a scalar. */
    SOFTCAP(2, true),
    /** outer(a: vec[A], b: vec[B]) : mat[A, B]. */
    OUTER(2, false),
    /** dot(a: vec[D], b: vec[D]) : scalar. */
    DOT(2, false),
    /**
     * matvec(x: vec[R], M: mat[R, C]) : vec[C] is x^T M;  matvec(M: mat[R, C], x: vec[C]) : vec[R] is M x.
     * The orientation follows from the argument types (see {@link #isVecMat}).
     */
    MATVEC(2, false),
    /** sum(x) : scalar, the sum of all elements of a vec or mat (identity on scalars). */
    SUM(1, false),
    /** where(cond: bool, a, b): a if cond else b; a and b broadcast like a binary op. */
    WHERE(3, false),
    /**
     * all_zero(s) : bool where s is a state (not a next-state). Batch-global in cells: true when s is zero in every
     * batch element and head at this time step; emitters evaluate it before each step.
     */
    ALL_ZERO(1, false);

    private final int arity;
    private final boolean elementwise;

    Builtin(int arity, boolean elementwise) {
        this.arity = arity;
        this.elementwise = elementwise;
    }

    public int arity() { return arity; }

    public boolean elementwise() { return elementwise; }

    /** The DSL spelling, e.g. {@code logsigmoid}, {@code all_zero}. */
    public String dslName() { return name().toLowerCase(Locale.ROOT); }

    public static Optional<Builtin> byDslName(String name) {
        for (Builtin b : values()) if (b.dslName().equals(name)) return Optional.of(b);
        return Optional.empty();
    }

    /** For a typed MATVEC call: true when it is x^T M (vector first), false when M x. */
    public static boolean isVecMat(Expr.Call call) {
        if (call.fn() != MATVEC) throw new IllegalArgumentException("not a matvec: " + call.fn());
        return call.args().get(0).type() instanceof Type.Vec;
    }
}
