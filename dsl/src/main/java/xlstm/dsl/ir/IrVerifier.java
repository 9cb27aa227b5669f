package xlstm.dsl.ir;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Structural checks of a {@link CellIR}: unique names, dims of every type declared, every reference resolves to a
 * declaration or an EARLIER definition with the same type, node types agree with {@link Typing}, each state has at
 * most one next-state definition of the state's type, each output exactly one definition of its declared type.
 * Returns the list of errors (empty when the IR is well formed).
 */
public final class IrVerifier {
    private IrVerifier() {}

    public static List<IrException> verify(CellIR cell) {
        List<IrException> errors = new ArrayList<>();
        Set<String> names = new HashSet<>();
        Set<String> dimNames = new HashSet<>();
        for (Dim d : cell.dims()) {
            if (!dimNames.add(d.name())) errors.add(new IrException(cell.pos(), "duplicate dim '" + d.name() + "'"));
            names.add(d.name());
        }
        for (Decl d : cell.tensorArgs()) {
            if (!names.add(d.name())) errors.add(new IrException(d.pos(), "duplicate name '" + d.name() + "'"));
            for (Dim x : d.type().dims())
                if (!dimNames.contains(x.name()))
                    errors.add(new IrException(d.pos(), "unknown dim '" + x.name() + "' in the type of '" + d.name() + "'"));
        }
        for (Param p : cell.params())
            if (!names.add(p.name())) errors.add(new IrException(p.pos(), "duplicate name '" + p.name() + "'"));

        Map<String, Type> lets = new HashMap<>();
        Map<String, Type> nexts = new HashMap<>();
        Map<String, Type> outs = new HashMap<>();
        for (Stmt s : cell.body()) {
            checkExpr(cell, s.value(), lets, nexts, outs, dimNames, errors);
            switch (s.kind()) {
                case LET -> {
                    if (names.contains(s.name()) || lets.containsKey(s.name()))
                        errors.add(new IrException(s.pos(), "'" + s.name() + "' is already defined"));
                    lets.put(s.name(), s.type());
                }
                case NEXT_STATE -> {
                    Decl d = cell.decl(s.name()).orElse(null);
                    if (d == null || d.role() != Decl.Role.STATE)
                        errors.add(new IrException(s.pos(), "'" + s.name() + "'' defined but '" + s.name() + "' is not a state"));
                    else if (!d.type().equals(s.type()))
                        errors.add(new IrException(s.pos(), "'" + s.name() + "'' has type " + s.type() + " but state '"
                                + s.name() + "' is " + d.type()));
                    if (nexts.put(s.name(), s.type()) != null)
                        errors.add(new IrException(s.pos(), "'" + s.name() + "'' is defined twice"));
                }
                case OUTPUT -> {
                    Decl d = cell.decl(s.name()).orElse(null);
                    if (d == null || d.role() != Decl.Role.OUTPUT)
                        errors.add(new IrException(s.pos(), "'" + s.name() + "' is not an output"));
                    else if (!d.type().equals(s.type()))
                        errors.add(new IrException(s.pos(), "output '" + s.name() + "' is declared " + d.type()
                                + " but computed as " + s.type()));
                    if (outs.put(s.name(), s.type()) != null)
                        errors.add(new IrException(s.pos(), "output '" + s.name() + "' is defined twice"));
                }
            }
        }
        for (Decl o : cell.outputs())
            if (!outs.containsKey(o.name()))
                errors.add(new IrException(o.pos(), "output '" + o.name() + "' is never defined"));
        return errors;
    }

    private static void checkExpr(CellIR cell, Expr e, Map<String, Type> lets, Map<String, Type> nexts,
                                  Map<String, Type> outs, Set<String> dims, List<IrException> errors) {
        for (Expr c : e.children()) checkExpr(cell, c, lets, nexts, outs, dims, errors);
        try {
            Type expected = switch (e) {
                case Expr.Const c -> Type.SCALAR;
                case Expr.BoolConst b -> Type.BOOL;
                case Expr.Ref r -> refType(cell, r, lets, nexts, outs, dims);
                case Expr.Unary u -> Typing.unary(u.op(), u.x(), u.pos()).type();
                case Expr.Binary b -> Typing.binary(b.op(), b.a(), b.b(), b.pos()).type();
                case Expr.Call c -> Typing.call(c.fn(), c.args(), c.pos()).type();
            };
            if (expected != null && !expected.equals(e.type()))
                errors.add(new IrException(e.pos(), "node typed " + e.type() + " but its rule gives " + expected));
        } catch (IrException ex) {
            errors.add(ex);
        }
    }

    private static Type refType(CellIR cell, Expr.Ref r, Map<String, Type> lets, Map<String, Type> nexts,
                                Map<String, Type> outs, Set<String> dims) {
        Type t = switch (r.kind()) {
            case INPUT, WEIGHT, STATE -> cell.decl(r.name()).filter(d -> d.refKind() == r.kind()).map(Decl::type).orElse(null);
            case NEXT_STATE -> nexts.get(r.name());
            case LET -> lets.get(r.name());
            case OUTPUT -> outs.get(r.name());
            case PARAM -> cell.param(r.name()).map(Param::type).orElse(null);
            case DIM -> dims.contains(r.name()) ? Type.SCALAR : null;
        };
        if (t == null) {
            String shown = r.kind() == Expr.RefKind.NEXT_STATE ? r.name() + "'" : r.name();
            throw new IrException(r.pos(), "'" + shown + "' (" + r.kind().name().toLowerCase() + ") is not defined before its use");
        }
        return t;
    }

    /** Throws the first error, if any. */
    public static CellIR check(CellIR cell) {
        List<IrException> errors = verify(cell);
        if (!errors.isEmpty()) throw errors.getFirst();
        return cell;
    }
}
