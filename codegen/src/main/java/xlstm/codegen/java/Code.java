package xlstm.codegen.java;

/** A tiny indentation-aware writer for method bodies (JavaPoet assembles the classes around them). */
final class Code {
    private final StringBuilder sb = new StringBuilder();
    private int indent;

    Code line(String s) {
        sb.append("    ".repeat(indent)).append(s).append('\n');
        return this;
    }

    Code open(String s) {
        line(s.isEmpty() ? "{" : s + " {");
        indent++;
        return this;
    }

    Code close() {
        return close("");
    }

    /** Closes a block, e.g. {@code close(");")} after a lambda. */
    Code close(String tail) {
        indent--;
        line("}" + tail);
        return this;
    }

    Code raw(Code other) {
        for (String l : other.toString().split("\n", -1)) if (!l.isEmpty()) line(l);
        return this;
    }

    boolean isEmpty() { return sb.isEmpty(); }

    @Override public String toString() { return sb.toString(); }
}
