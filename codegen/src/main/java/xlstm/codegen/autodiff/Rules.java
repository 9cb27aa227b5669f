package xlstm.codegen.autodiff;

import xlstm.codegen.interp.MathRef;
import xlstm.dsl.ir.Builtin;
import xlstm.dsl.ir.Expr;

import static xlstm.codegen.autodiff.Algebra.c;
import static xlstm.codegen.autodiff.Algebra.call;
import static xlstm.codegen.autodiff.Algebra.div;
import static xlstm.codegen.autodiff.Algebra.mul;
import static xlstm.codegen.autodiff.Algebra.neg;
import static xlstm.codegen.autodiff.Algebra.sub;
import static xlstm.codegen.autodiff.Algebra.add;

/**
 * Derivatives f'(x) of the elementwise unary builtins, as IR over the (adjoint-side) argument {@code x}. Kinks take
 * the one-sided value PyTorch takes: relu'(0) = 0, abs'(0) = 0, selu'(0) = scale * alpha; heaviside has none.
 */
final class Rules {
    private Rules() {}

    /** f'(x), or null when the derivative is zero everywhere (heaviside). */
    static Expr derivative(Builtin fn, Expr x) {
        return switch (fn) {
            case EXP -> call(Builtin.EXP, x);
            case LOG -> div(c(1), x);
            case LOGSIGMOID -> call(Builtin.SIGMOID, neg(x));
            case SIGMOID -> mul(call(Builtin.SIGMOID, x), call(Builtin.SIGMOID, neg(x)));
            case TANH -> {
                Expr t = call(Builtin.TANH, x);
                yield sub(c(1), mul(t, t));
            }
            // silu' = s (1 + x (1 - s)), s = sigmoid(x)
            case SILU -> mul(call(Builtin.SIGMOID, x), add(c(1), mul(x, call(Builtin.SIGMOID, neg(x)))));
            case GELU -> gelu(x);
            case RELU -> call(Builtin.HEAVISIDE, x);
            case SELU -> {
                Expr pos = call(Builtin.HEAVISIDE, x);
                Expr negSlope = mul(c(MathRef.SELU_SCALE * MathRef.SELU_ALPHA), call(Builtin.EXP, call(Builtin.MIN, x, c(0))));
                yield add(mul(pos, c(MathRef.SELU_SCALE)), mul(sub(c(1), pos), negSlope));
            }
            case ABS -> sub(call(Builtin.HEAVISIDE, x), call(Builtin.HEAVISIDE, neg(x)));
            case SQRT -> mul(c(0.5), call(Builtin.RSQRT, x));
            case RSQRT -> div(mul(c(-0.5), call(Builtin.RSQRT, x)), x);
            case HEAVISIDE -> null;
            default -> throw new IllegalArgumentException(fn.dslName() + " is not an elementwise unary builtin");
        };
    }

    /**
     * gelu'(x) = Phi(x) + x phi(x). The DSL has no erf, so Phi(x) = gelu(x) / x, with x replaced by 1 at x = 0
     * (z = 1 there) and Phi(0) = 1/2 added back.
     */
    private static Expr gelu(Expr x) {
        Expr z = sub(sub(c(1), call(Builtin.HEAVISIDE, x)), call(Builtin.HEAVISIDE, neg(x)));
        Expr phiCdf = add(div(call(Builtin.GELU, x), add(x, z)), mul(c(0.5), z));
        Expr density = mul(c(1 / Math.sqrt(2 * Math.PI)), call(Builtin.EXP, mul(c(-0.5), mul(x, x))));
        return add(phiCdf, mul(x, density));
    }
}
