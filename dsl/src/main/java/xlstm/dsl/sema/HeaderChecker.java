package xlstm.dsl.sema;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import xlstm.dsl.ast.Declaration;
import xlstm.dsl.ast.Definition;
import xlstm.dsl.ast.DefinitionKind;
import xlstm.dsl.ast.Identifier;
import xlstm.dsl.ast.Literal;
import xlstm.dsl.ast.Role;
import xlstm.dsl.ir.Decl;
import xlstm.dsl.ir.Dim;
import xlstm.dsl.ir.Param;
import xlstm.dsl.ir.Type;

/**
 * Checks the header of a definition: dimensions and declarations (names unique and not reserved, types well
 * formed, each role's shapes and values as the glue contract lays them out) and converts them to IR declarations.
 */
final class HeaderChecker {
    private final Definition definition;
    private final Diagnostics diagnostics;
    private final Map<String, Symbol> symbols = new LinkedHashMap<>();

    private HeaderChecker(Definition definition, Diagnostics diagnostics) {
        this.definition = definition;
        this.diagnostics = diagnostics;
    }

    static Header check(Definition definition, Diagnostics diagnostics) {
        return new HeaderChecker(definition, diagnostics).check();
    }

    private Header check() {
        List<Dim> dims = new ArrayList<>();
        List<String> typeDims = new ArrayList<>();  // reserved ones too: their error is enough, types still resolve
        for (Identifier id : definition.dims()) {
            boolean duplicate = symbols.containsKey(id.name());
            if (!declarable(id)) {
                if (!duplicate) typeDims.add(id.name());
                continue;
            }
            Dim dim = new Dim(id.name());
            dims.add(dim);
            typeDims.add(id.name());
            symbols.put(id.name(), new Symbol.DimSymbol(dim, id.pos()));
        }
        TypeResolver types = new TypeResolver(typeDims, diagnostics);
        Map<Role, List<Decl>> tensors = new LinkedHashMap<>();
        for (Role role : Role.values()) tensors.put(role, new ArrayList<>());
        List<Param> params = new ArrayList<>();
        for (Declaration d : definition.declarations()) {
            if (d.role() == Role.STATE && definition.kind() == DefinitionKind.KERNEL)
                diagnostics.error(d.pos(), "kernel '" + definition.name() + "' cannot have a state: kernels are "
                        + "stateless, declare a cell instead");
            if (!declarable(d.name())) {
                symbols.putIfAbsent(d.name().name(), invalid(d));
                continue;
            }
            int errorsBefore = diagnostics.count();
            if (d.role() == Role.PARAM) {
                Optional<Param> param = param(d, types).filter(p -> diagnostics.count() == errorsBefore);
                param.ifPresent(params::add);
                declare(d, param.map(p -> new Symbol.ParamSymbol(p, d.name().pos())));
            } else {
                Optional<Decl> tensor = tensor(d, types).filter(t -> diagnostics.count() == errorsBefore);
                tensor.ifPresent(tensors.get(d.role())::add);
                declare(d, tensor.map(t -> new Symbol.TensorSymbol(t, d.name().pos())));
            }
        }
        return new Header(dims, tensors.get(Role.INPUT), tensors.get(Role.WEIGHT), tensors.get(Role.STATE),
                tensors.get(Role.OUTPUT), params, symbols);
    }

    /** Binds the name; a declaration with errors binds an {@link Symbol.Invalid} so its uses raise nothing more. */
    private void declare(Declaration d, Optional<? extends Symbol> symbol) {
        symbols.put(d.name().name(), symbol.isPresent() ? symbol.get() : invalid(d));
    }

    private static Symbol invalid(Declaration d) {
        return new Symbol.Invalid(d.name().name(), d.role().keyword(), d.name().pos());
    }

    /** A name may be declared once per definition, and not under a name the generated code uses. */
    private boolean declarable(Identifier id) {
        Optional<String> reserved = ReservedNames.reason(id.name());
        if (reserved.isPresent()) {
            diagnostics.error(id.pos(), reserved.get());
            return false;
        }
        Symbol earlier = symbols.get(id.name());
        if (earlier != null) {
            diagnostics.error(id.pos(), "duplicate declaration of '" + id.name() + "': already declared as "
                    + earlier.describe() + " at " + earlier.pos().lineCol());
            return false;
        }
        return true;
    }

    private Optional<Param> param(Declaration d, TypeResolver types) {
        Optional<Type> type = d.type().isPresent() ? types.param(d.type().get()) : Optional.of(Type.SCALAR);
        if (type.isEmpty()) return Optional.empty();
        String name = d.name().name();
        if (type.get().isBool()) {
            Optional<Boolean> value = switch (d.value().orElse(null)) {
                case null -> Optional.empty();
                case Literal.BoolLiteral b -> Optional.of(b.value());
                case Literal.NumberLiteral n -> {
                    diagnostics.error(n.pos(), "bool param '" + name + "' needs true or false, not " + n.text());
                    yield Optional.empty();
                }
            };
            return Optional.of(Param.ofBool(name, value.orElse(null), Positions.ir(d.name().pos())));
        }
        Optional<Double> value = switch (d.value().orElse(null)) {
            case null -> Optional.empty();
            case Literal.NumberLiteral n -> Optional.of(n.value());
            case Literal.BoolLiteral b -> {
                diagnostics.error(b.pos(), "float param '" + name + "' needs a number, not " + b.value()
                        + " (declare it '" + name + ": bool' for a switch)");
                yield Optional.empty();
            }
        };
        return Optional.of(Param.ofFloat(name, value.orElse(null), Positions.ir(d.name().pos())));
    }

    private Optional<Decl> tensor(Declaration d, TypeResolver types) {
        String what = d.role().keyword() + " '" + d.name().name() + "'";
        if (d.type().isEmpty()) {
            diagnostics.error(d.name().pos(), what + " needs a type, as in '" + d.name().name() + ": vec[D]'");
            return Optional.empty();
        }
        Optional<Type> type = types.tensor(d.type().get()).filter(t -> shapeAllowed(d, t));
        double init = initialValue(d, what);
        return type.map(t -> {
            var pos = Positions.ir(d.name().pos());
            String name = d.name().name();
            return switch (d.role()) {
                case INPUT -> Decl.input(name, t, pos);
                case WEIGHT -> Decl.weight(name, t, pos);
                case STATE -> Decl.state(name, t, init, pos);
                case OUTPUT -> Decl.output(name, t, pos);
                case PARAM -> throw new IllegalStateException("params are not tensors");
            };
        });
    }

    /** The glue contract lays out scalar and vec inputs/outputs and vec and mat weights; states take any shape. */
    private boolean shapeAllowed(Declaration d, Type type) {
        String rule = switch (d.role()) {
            case INPUT, OUTPUT -> type instanceof Type.Mat ? "inputs and outputs are scalar or vec[D]" : null;
            case WEIGHT -> type instanceof Type.Scalar ? "weights are vec[D] or mat[D1, D2]; use a param for a scalar" : null;
            default -> null;
        };
        if (rule == null) return true;
        diagnostics.error(d.type().orElseThrow().pos(), d.role().keyword() + " '" + d.name().name() + "' cannot be "
                + type + ": " + rule);
        return false;
    }

    /** A state starts at its number (0 when none is written); other tensors take no value. */
    private double initialValue(Declaration d, String what) {
        return switch (d.value().orElse(null)) {
            case null -> 0;
            case Literal.NumberLiteral n when d.role() == Role.STATE -> n.value();
            case Literal.BoolLiteral b when d.role() == Role.STATE -> {
                diagnostics.error(b.pos(), "the initial value of " + what + " must be a number, not " + b.value());
                yield 0;
            }
            case Literal l -> {
                diagnostics.error(l.pos(), what + " takes no value: only states (initial value) and params "
                        + "(default) are written with '= ...'");
                yield 0;
            }
        };
    }
}
