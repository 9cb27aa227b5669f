package xlstm.dsl.ast;

/** Where a node starts in its source file; line and column count from 1. */
public record Position(String file, int line, int col) {

    @Override public String toString() { return file + ":" + line + ":" + col; }

    /** {@code line:col}, for messages that refer to another place of the same file. */
    public String lineCol() { return line + ":" + col; }
}
