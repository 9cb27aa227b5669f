package xlstm.dsl.ast;

import java.util.List;

/** One section line such as {@code input q: vec[DQK], i: scalar}. */
public record Section(Role role, List<Declaration> declarations, Position pos) {
    public Section {
        declarations = List.copyOf(declarations);
    }
}
