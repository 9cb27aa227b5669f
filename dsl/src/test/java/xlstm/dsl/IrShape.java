package xlstm.dsl;

import java.util.Locale;
import java.util.stream.Collectors;

import xlstm.dsl.ir.Expr;

/** A compact rendering of IR expressions that shows what tests care about: operators, calls and reference kinds. */
final class IrShape {
    private IrShape() {}

    static String of(Expr e) {
        return switch (e) {
            case Expr.Const c -> String.valueOf(c.value());
            case Expr.BoolConst b -> String.valueOf(b.value());
            case Expr.Ref r -> r.kind().name().toLowerCase(Locale.ROOT) + " " + r.name();
            case Expr.Unary u -> u.op() + "(" + of(u.x()) + ")";
            case Expr.Binary b -> b.op() + "(" + of(b.a()) + ", " + of(b.b()) + ")";
            case Expr.Call c -> c.fn() + c.args().stream().map(IrShape::of).collect(Collectors.joining(", ", "(", ")"));
        };
    }
}
