package xlstm.dsl.ir;

/** Where an IR node came from, for messages of the form {@code file:line:col: message}. */
public record SourcePos(String file, int line, int col) {
    public static final SourcePos NONE = new SourcePos("<none>", 0, 0);

    @Override public String toString() { return file + ":" + line + ":" + col; }
}
