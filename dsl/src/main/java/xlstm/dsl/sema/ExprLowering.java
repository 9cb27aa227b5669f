package xlstm.dsl.sema;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import xlstm.dsl.ast.Expression;
import xlstm.dsl.ast.Position;
import xlstm.dsl.ir.BinOp;
import xlstm.dsl.ir.Builtin;
import xlstm.dsl.ir.Decl;
import xlstm.dsl.ir.Expr;
import xlstm.dsl.ir.Expr.RefKind;
import xlstm.dsl.ir.IrException;
import xlstm.dsl.ir.SourcePos;
import xlstm.dsl.ir.Type;
import xlstm.dsl.ir.Typing;
import xlstm.dsl.ir.UnOp;

/**
 * Resolves the names of an AST expression and builds the typed IR expression through {@link Typing}, whose rules
 * (broadcasting, dims matched by name, products, reductions) are the one definition of the DSL's typing.
 * An error is reported once, where it occurs; the enclosing expressions then yield empty without further messages.
 */
final class ExprLowering {
    private final Header header;
    private final BodyScope scope;
    private final Diagnostics diagnostics;

    ExprLowering(Header header, BodyScope scope, Diagnostics diagnostics) {
        this.header = header;
        this.scope = scope;
        this.diagnostics = diagnostics;
    }

    Optional<Expr> lower(Expression e) {
        return switch (e) {
            case Expression.Number n -> Optional.of(Typing.constant(n.value(), ir(n.pos())));
            case Expression.Bool b -> Optional.of(Typing.bool(b.value(), ir(b.pos())));
            case Expression.Name n -> name(n);
            case Expression.NextName n -> nextName(n);
            case Expression.Unary u -> lower(u.operand()).flatMap(x -> typed(() -> Typing.unary(unaryOp(u), x, ir(u.pos()))));
            case Expression.Binary b -> {
                Optional<Expr> left = lower(b.left()), right = lower(b.right());
                if (left.isEmpty() || right.isEmpty()) yield Optional.empty();
                yield typed(() -> Typing.binary(BinOp.valueOf(b.op().name()), left.get(), right.get(), ir(b.pos())));
            }
            case Expression.Call c -> call(c);
        };
    }

    private Optional<Expr> name(Expression.Name n) {
        String name = n.name();
        SourcePos pos = ir(n.pos());
        Optional<Symbol> symbol = header.lookup(name);
        if (symbol.isPresent()) {
            return switch (symbol.get()) {
                case Symbol.DimSymbol d -> Optional.of(Typing.dim(name, pos));
                case Symbol.Invalid i -> Optional.empty();
                case Symbol.ParamSymbol p -> ref(RefKind.PARAM, name, p.param().type(), pos);
                case Symbol.TensorSymbol t when t.decl().role() == Decl.Role.OUTPUT -> {
                    Optional<BodyScope.Defined> assigned = scope.output(name);
                    if (assigned.isEmpty()) {
                        diagnostics.error(n.pos(), "output '" + name + "' is read before it is assigned");
                        yield Optional.empty();
                    }
                    yield assigned.get().type().flatMap(type -> ref(RefKind.OUTPUT, name, type, pos));
                }
                case Symbol.TensorSymbol t -> ref(t.decl().refKind(), name, t.decl().type(), pos);
            };
        }
        Optional<BodyScope.Defined> local = scope.local(name);
        if (local.isPresent())
            return local.get().type().flatMap(type -> ref(RefKind.LET, name, type, pos));
        Optional<Position> later = scope.definedLater(name);
        if (later.isPresent())
            diagnostics.error(n.pos(), "'" + name + "' is used before it is defined at " + later.get().lineCol());
        else
            diagnostics.error(n.pos(), "unknown name '" + name + "'" + Suggestions.didYouMean(name, visibleNames()));
        return Optional.empty();
    }

    private Optional<Expr> nextName(Expression.NextName n) {
        String name = n.name();
        Optional<Symbol> symbol = header.lookup(name);
        if (symbol.orElse(null) instanceof Symbol.Invalid) return Optional.empty();
        if (symbol.isPresent() && symbol.get() instanceof Symbol.TensorSymbol t && t.decl().role() == Decl.Role.STATE) {
            Optional<BodyScope.Defined> assigned = scope.nextState(name);
            if (assigned.isEmpty()) {
                diagnostics.error(n.pos(), name + "' is read before it is assigned; assign " + name + "' = ... first "
                        + "(or read '" + name + "' for the value before the step)");
                return Optional.empty();
            }
            return assigned.get().type().flatMap(type -> ref(RefKind.NEXT_STATE, name, type, ir(n.pos())));
        }
        String what = symbol.map(Symbol::describe).or(() -> scope.local(name).map(l -> "local '" + name + "'"))
                .map(s -> s + " is not a state")
                .orElse("'" + name + "' is not a state");
        diagnostics.error(n.pos(), what + "; only states have a next value " + name + "'");
        return Optional.empty();
    }

    private Optional<Expr> call(Expression.Call c) {
        String fn = c.function().name();
        Optional<Builtin> builtin = Builtin.byDslName(fn);
        if (builtin.isEmpty()) {
            diagnostics.error(c.pos(), "unknown function '" + fn + "'" + Suggestions.didYouMean(fn,
                    Arrays.stream(Builtin.values()).map(Builtin::dslName).toList()));
        } else if (builtin.get().arity() != c.args().size()) {
            int arity = builtin.get().arity();
            diagnostics.error(c.pos(), fn + " takes " + arity + " argument" + (arity == 1 ? "" : "s") + ", got "
                    + c.args().size());
        }
        List<Optional<Expr>> args = new ArrayList<>();
        for (Expression arg : c.args()) args.add(lower(arg));  // reports errors inside the arguments, too
        if (builtin.isEmpty() || builtin.get().arity() != c.args().size() || args.stream().anyMatch(Optional::isEmpty))
            return Optional.empty();
        return typed(() -> Typing.call(builtin.get(), args.stream().map(Optional::get).toList(), ir(c.pos())));
    }

    private Optional<Expr> ref(RefKind kind, String name, Type type, SourcePos pos) {
        return typed(() -> Typing.ref(kind, name, type, pos));
    }

    /** Runs one typing rule; its error becomes a diagnostic. */
    private Optional<Expr> typed(TypingRule rule) {
        try {
            return Optional.of(rule.build());
        } catch (IrException e) {
            diagnostics.error(e);
            return Optional.empty();
        }
    }

    @FunctionalInterface
    private interface TypingRule {
        Expr build();
    }

    private static UnOp unaryOp(Expression.Unary u) { return UnOp.valueOf(u.op().name()); }

    private List<String> visibleNames() {
        return Stream.concat(header.symbols().keySet().stream(), scope.localNames().stream()).toList();
    }

    private static SourcePos ir(Position pos) { return Positions.ir(pos); }
}
