package xlstm.dsl.ir;

/** A symbolic size of a cell header, e.g. {@code DQK}. Its value is a runtime argument. */
public record Dim(String name) {
    public Dim {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("empty dim name");
    }
    @Override public String toString() { return name; }
}
