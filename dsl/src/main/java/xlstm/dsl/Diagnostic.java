package xlstm.dsl;

/** One user-facing problem in a DSL source, printed as {@code file:line:col: message} (line and column from 1). */
public record Diagnostic(String file, int line, int col, String message) {

    @Override public String toString() { return file + ":" + line + ":" + col + ": " + message; }
}
