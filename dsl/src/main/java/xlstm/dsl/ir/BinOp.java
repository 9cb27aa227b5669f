package xlstm.dsl.ir;

/**
 * Binary operators. Arithmetic ones are elementwise with scalar broadcasting; comparisons take scalars and give
 * {@link Type.Bool}; AND/OR take bools.
 */
public enum BinOp {
    ADD("+", 6), SUB("-", 6), MUL("*", 7), DIV("/", 7),
    LT("<", 4), LE("<=", 4), GT(">", 4), GE(">=", 4), EQ("==", 3), NE("!=", 3),
    AND("&&", 2), OR("||", 1);

    private final String symbol;
    private final int precedence;

    BinOp(String symbol, int precedence) {
        this.symbol = symbol;
        this.precedence = precedence;
    }

    public String symbol() { return symbol; }

    /** Higher binds tighter; used by the printer. */
    public int precedence() { return precedence; }

    public boolean arithmetic() { return ordinal() <= DIV.ordinal(); }

    public boolean comparison() { return ordinal() >= LT.ordinal() && ordinal() <= NE.ordinal(); }

    public boolean logical() { return this == AND || this == OR; }
}
