package xlstm.dsl.ast;

/** A name as written in the source, e.g. a dimension of a header or a function in a call. */
public record Identifier(String name, Position pos) {
    @Override public String toString() { return name; }
}
