package xlstm.codegen.c;

/** A small indentation-aware writer of C statements (the fluent builder of kernel bodies). */
final class CCode {
    private final StringBuilder sb = new StringBuilder();
    private int indent;

    CCode line(String s) {
        sb.append("    ".repeat(indent)).append(s).append('\n');
        return this;
    }

    /** {@code s {} and one level deeper; {@code open("")} opens a bare block. */
    CCode open(String s) {
        line(s.isEmpty() ? "{" : s + " {");
        indent++;
        return this;
    }

    CCode close() {
        indent--;
        line("}");
        return this;
    }

    /** Appends another builder's lines at this indentation. */
    CCode raw(CCode other) {
        return raw(other.toString());
    }

    CCode raw(String text) {
        for (String l : text.split("\n", -1)) if (!l.isEmpty()) line(l);
        return this;
    }

    boolean isEmpty() { return sb.isEmpty(); }

    @Override public String toString() { return sb.toString(); }
}
