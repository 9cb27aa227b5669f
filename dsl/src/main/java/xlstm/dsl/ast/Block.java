package xlstm.dsl.ast;

import java.util.List;

/** The statements of a {@code step { ... }} (cell) or {@code body { ... }} (kernel) block. */
public record Block(String keyword, List<Assignment> statements, Position pos) {
    public Block {
        statements = List.copyOf(statements);
    }
}
