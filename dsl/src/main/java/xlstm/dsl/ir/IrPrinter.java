package xlstm.dsl.ir;

import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Text form of the IR (for {@code --dump}). Close to the DSL, with every definition annotated by its type:
 * <pre>
 * cell mlstm(DQK, DV) {
 *   input  q: vec[DQK]
 *   state  C: mat[DQK, DV] = 0
 *   param  eps: float = 1e-06
 *   step {
 *     let lf: scalar = logsigmoid(f)
 *     next m': scalar = max(lf + m, i)
 *     out h: vec[DV] = ...
 *   }
 * }
 * </pre>
 */
public final class IrPrinter {
    private IrPrinter() {}

    public static String print(IrModule module) {
        StringBuilder sb = new StringBuilder("// IR of ").append(module.file()).append('\n');
        for (CellIR c : module.units()) sb.append(print(c)).append('\n');
        return sb.toString();
    }

    public static String print(CellIR cell) {
        StringBuilder sb = new StringBuilder();
        sb.append(cell.kind().keyword()).append(' ').append(cell.name()).append('(')
                .append(cell.dims().stream().map(Dim::name).collect(Collectors.joining(", "))).append(") {\n");
        for (Decl d : cell.tensorArgs()) {
            sb.append("  ").append(String.format(Locale.ROOT, "%-7s", d.role().name().toLowerCase(Locale.ROOT)))
                    .append(d.name()).append(": ").append(d.type());
            if (d.role() == Decl.Role.STATE) sb.append(" = ").append(number(d.init()));
            sb.append('\n');
        }
        for (Param p : cell.params()) {
            sb.append("  param  ").append(p.name()).append(": ").append(p.isBool() ? "bool" : "float");
            if (p.hasDefault()) sb.append(" = ").append(p.isBool() ? String.valueOf(p.defaultBool()) : number(p.defaultValue()));
            sb.append('\n');
        }
        sb.append("  ").append(cell.isCell() ? "step" : "body").append(" {\n");
        for (Stmt s : cell.body()) sb.append("    ").append(stmt(s)).append('\n');
        sb.append("  }\n}\n");
        return sb.toString();
    }

    public static String stmt(Stmt s) {
        String kw = switch (s.kind()) {
            case LET -> "let ";
            case NEXT_STATE -> "next";
            case OUTPUT -> "out ";
        };
        return kw + " " + s.displayName() + ": " + s.type() + " = " + expr(s.value());
    }

    public static String expr(Expr e) {
        return expr(e, 0);
    }

    private static final int UNARY_PREC = 9;

    private static String expr(Expr e, int outer) {
        return switch (e) {
            case Expr.Const c -> c.value() < 0 && outer > 0 ? "(" + number(c.value()) + ")" : number(c.value());
            case Expr.BoolConst b -> String.valueOf(b.value());
            case Expr.Ref r -> r.kind() == Expr.RefKind.NEXT_STATE ? r.name() + "'" : r.name();
            case Expr.Unary u -> {
                String s = u.op().symbol() + expr(u.x(), UNARY_PREC);
                yield outer > UNARY_PREC ? "(" + s + ")" : s;
            }
            case Expr.Binary b -> {
                int p = b.op().precedence();
                // left-associative: the right operand needs parentheses at equal precedence
                String s = expr(b.a(), p) + " " + b.op().symbol() + " " + expr(b.b(), p + 1);
                yield p < outer ? "(" + s + ")" : s;
            }
            case Expr.Call c -> c.fn().dslName() + "("
                    + c.args().stream().map(a -> expr(a, 0)).collect(Collectors.joining(", ")) + ")";
        };
    }

    /** Shortest round-tripping text of a double; integers without a fraction. */
    public static String number(double v) {
        if (v == Math.rint(v) && !Double.isInfinite(v) && Math.abs(v) < 1e15) return String.valueOf((long) v);
        return String.valueOf(v);
    }
}
