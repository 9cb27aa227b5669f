package xlstm.dsl.sema;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import xlstm.dsl.ast.Identifier;
import xlstm.dsl.ast.TypeSyntax;
import xlstm.dsl.ir.Dim;
import xlstm.dsl.ir.Type;

/** Resolves written types against the dimensions of a definition's header. */
final class TypeResolver {
    private final List<String> dims;
    private final Diagnostics diagnostics;

    TypeResolver(List<String> dims, Diagnostics diagnostics) {
        this.dims = List.copyOf(dims);
        this.diagnostics = diagnostics;
    }

    /** {@code scalar}, {@code vec[D]} or {@code mat[A, B]}; empty after reporting an error. */
    Optional<Type> tensor(TypeSyntax type) {
        return switch (type.name()) {
            case "scalar" -> arity(type, 0, "scalar takes no dimensions") ? Optional.of(Type.SCALAR) : Optional.empty();
            case "vec" -> arity(type, 1, "vec takes one dimension, as in vec[D]") && declared(type.dims())
                    ? Optional.of(new Type.Vec(dim(type.dims().get(0)))) : Optional.empty();
            case "mat" -> arity(type, 2, "mat takes two dimensions, as in mat[D1, D2]") && declared(type.dims())
                    ? Optional.of(new Type.Mat(dim(type.dims().get(0)), dim(type.dims().get(1)))) : Optional.empty();
            default -> {
                diagnostics.error(type.pos(), "unknown type '" + type.name() + "'; expected scalar, vec[D] or mat[D1, D2]"
                        + (Set.of("bool", "float").contains(type.name()) ? " (only params are float or bool)" : ""));
                yield Optional.empty();
            }
        };
    }

    /** {@code float} (a scalar) or {@code bool}; empty after reporting an error. */
    Optional<Type> param(TypeSyntax type) {
        Optional<Type> resolved = switch (type.name()) {
            case "float" -> Optional.of(Type.SCALAR);
            case "bool" -> Optional.of(Type.BOOL);
            default -> Optional.empty();
        };
        if (resolved.isEmpty() || !type.dims().isEmpty()) {
            diagnostics.error(type.pos(), "a param is float or bool, not " + type);
            return Optional.empty();
        }
        return resolved;
    }

    private boolean arity(TypeSyntax type, int expected, String message) {
        if (type.dims().size() == expected) return true;
        diagnostics.error(type.pos(), message + ", not " + type);
        return false;
    }

    private boolean declared(List<Identifier> used) {
        boolean ok = true;
        for (Identifier d : used) {
            if (dims.contains(d.name())) continue;
            diagnostics.error(d.pos(), "undeclared dimension '" + d.name() + "'; the header declares "
                    + (dims.isEmpty() ? "none" : dims.stream().collect(Collectors.joining(", "))));
            ok = false;
        }
        return ok;
    }

    private static Dim dim(Identifier id) { return new Dim(id.name()); }
}
