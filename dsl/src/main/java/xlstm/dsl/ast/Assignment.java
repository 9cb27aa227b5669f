package xlstm.dsl.ast;

/**
 * A statement {@code name = expr} or {@code name' = expr}. Whether it defines a local, an output or (primed) a
 * state's next value depends on what {@code target} names, so that is decided by the checks.
 */
public record Assignment(Identifier target, boolean next, Expression value, Position pos) {

    /** The target as written, e.g. {@code C'}. */
    public String targetText() { return next ? target.name() + "'" : target.name(); }
}
