package xlstm.codegen.interp;

import xlstm.dsl.ir.BinOp;
import xlstm.dsl.ir.Builtin;
import xlstm.dsl.ir.Expr;
import xlstm.dsl.ir.IrException;

import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Function;

/** float64 evaluation of one expression tree, with references resolved by a caller-supplied function. */
public final class Evaluator {
    private final Function<Expr.Ref, Value> refs;
    private final Function<String, Boolean> allZero;

    /**
     * @param refs    the value of each reference (inputs, states, lets, params, dims as scalars ...)
     * @param allZero the batch-global {@code all_zero} predicate of a state name, decided before the step
     */
    public Evaluator(Function<Expr.Ref, Value> refs, Function<String, Boolean> allZero) {
        this.refs = refs;
        this.allZero = allZero;
    }

    public Value eval(Expr e) {
        return switch (e) {
            case Expr.Const c -> Value.scalar(c.value());
            case Expr.BoolConst b -> Value.bool(b.value());
            case Expr.Ref r -> refs.apply(r);
            case Expr.Unary u -> {
                Value x = eval(u.x());
                yield switch (u.op()) {
                    case NEG -> map(x, v -> -v);
                    case NOT -> Value.bool(!x.b());
                };
            }
            case Expr.Binary b -> binary(b.op(), eval(b.a()), eval(b.b()));
            case Expr.Call c -> call(c);
        };
    }

    private static Value binary(BinOp op, Value a, Value b) {
        return switch (op) {
            case ADD -> zip(a, b, Double::sum);
            case SUB -> zip(a, b, (x, y) -> x - y);
            case MUL -> zip(a, b, (x, y) -> x * y);
            case DIV -> zip(a, b, (x, y) -> x / y);
            case LT -> Value.bool(a.s() < b.s());
            case LE -> Value.bool(a.s() <= b.s());
            case GT -> Value.bool(a.s() > b.s());
            case GE -> Value.bool(a.s() >= b.s());
            case EQ -> Value.bool(a.s() == b.s());
            case NE -> Value.bool(a.s() != b.s());
            case AND -> Value.bool(a.b() && b.b());
            case OR -> Value.bool(a.b() || b.b());
        };
    }

    private Value call(Expr.Call c) {
        Builtin fn = c.fn();
        if (fn == Builtin.WHERE) {
            return eval(c.arg(0)).b() ? broadcastTo(eval(c.arg(1)), eval(c.arg(2))) : broadcastTo(eval(c.arg(2)), eval(c.arg(1)));
        }
        if (fn == Builtin.ALL_ZERO) return Value.bool(allZero.apply(((Expr.Ref) c.arg(0)).name()));
        Value a = eval(c.arg(0));
        return switch (fn) {
            case EXP -> map(a, Math::exp);
            case LOG -> map(a, Math::log);
            case LOGSIGMOID -> map(a, MathRef::logsigmoid);
            case SIGMOID -> map(a, MathRef::sigmoid);
            case TANH -> map(a, Math::tanh);
            case SILU -> map(a, MathRef::silu);
            case GELU -> map(a, MathRef::gelu);
            case RELU -> map(a, MathRef::relu);
            case SELU -> map(a, MathRef::selu);
            case ABS -> map(a, Math::abs);
            case SQRT -> map(a, Math::sqrt);
            case RSQRT -> map(a, MathRef::rsqrt);
            case HEAVISIDE -> map(a, MathRef::heaviside);
            case MAX -> zip(a, eval(c.arg(1)), Math::max);
            case MIN -> zip(a, eval(c.arg(1)), Math::min);
            case SOFTCAP -> {
                double cap = eval(c.arg(1)).s();
                yield map(a, x -> MathRef.softcap(x, cap));
            }
            case OUTER -> {
                Value b = eval(c.arg(1));
                double[] r = new double[a.size() * b.size()];
                for (int i = 0; i < a.size(); i++)
                    for (int j = 0; j < b.size(); j++) r[i * b.size() + j] = a.data()[i] * b.data()[j];
                yield Value.mat(r, a.size(), b.size());
            }
            case DOT -> {
                Value b = eval(c.arg(1));
                double s = 0;
                for (int i = 0; i < a.size(); i++) s += a.data()[i] * b.data()[i];
                yield Value.scalar(s);
            }
            case MATVEC -> {
                Value b = eval(c.arg(1));
                if (a.rank() == 1) { // x^T M
                    double[] r = new double[b.cols()];
                    for (int i = 0; i < b.rows(); i++)
                        for (int j = 0; j < b.cols(); j++) r[j] += a.data()[i] * b.data()[i * b.cols() + j];
                    yield Value.vec(r);
                } else { // M x
                    double[] r = new double[a.rows()];
                    for (int i = 0; i < a.rows(); i++) {
                        double s = 0;
                        for (int j = 0; j < a.cols(); j++) s += a.data()[i * a.cols() + j] * b.data()[j];
                        r[i] = s;
                    }
                    yield Value.vec(r);
                }
            }
            case SUM -> {
                double s = 0;
                for (double v : a.data()) s += v;
                yield Value.scalar(s);
            }
            case WHERE, ALL_ZERO -> throw new AssertionError();
        };
    }

    private static Value map(Value a, DoubleUnaryOperator f) {
        double[] r = new double[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = f.applyAsDouble(a.data()[i]);
        return a.withData(r);
    }

    /** Elementwise with scalar broadcasting. */
    private static Value zip(Value a, Value b, DoubleBinaryOperator f) {
        if (a.rank() == 0 && b.rank() != 0) {
            double x = a.s();
            return map(b, y -> f.applyAsDouble(x, y));
        }
        if (b.rank() == 0) {
            double y = b.s();
            return map(a, x -> f.applyAsDouble(x, y));
        }
        if (a.size() != b.size()) throw new IrException(null, "shape mismatch " + a.size() + " vs " + b.size());
        double[] r = new double[a.size()];
        for (int i = 0; i < r.length; i++) r[i] = f.applyAsDouble(a.data()[i], b.data()[i]);
        return a.withData(r);
    }

    /** {@code v} broadcast to the shape of {@code other} when v is a scalar and other is not. */
    private static Value broadcastTo(Value v, Value other) {
        if (v.rank() == 0 && other.rank() != 0 && !v.bool()) {
            double[] r = new double[other.size()];
            java.util.Arrays.fill(r, v.s());
            return other.withData(r);
        }
        return v;
    }
}
