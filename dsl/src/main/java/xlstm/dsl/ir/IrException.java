package xlstm.dsl.ir;

/** A type or structure error found while building or checking IR; carries the source position. */
public class IrException extends RuntimeException {
    private final SourcePos pos;

    public IrException(SourcePos pos, String message) {
        super(message);
        this.pos = pos == null ? SourcePos.NONE : pos;
    }

    public SourcePos pos() { return pos; }

    /** {@code file:line:col: message}. */
    public String formatted() { return pos + ": " + getMessage(); }
}
