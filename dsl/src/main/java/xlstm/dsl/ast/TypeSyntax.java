package xlstm.dsl.ast;

import java.util.List;
import java.util.stream.Collectors;

/** A type as written: {@code scalar}, {@code vec[D]}, {@code mat[A, B]}, {@code bool}, {@code float}; resolved later. */
public record TypeSyntax(String name, List<Identifier> dims, Position pos) {
    public TypeSyntax {
        dims = List.copyOf(dims);
    }

    @Override public String toString() {
        return dims.isEmpty() ? name
                : name + dims.stream().map(Identifier::name).collect(Collectors.joining(", ", "[", "]"));
    }
}
