package xlstm.dsl.ir;

/** Unary operators. */
public enum UnOp {
    NEG("-"), NOT("!");

    private final String symbol;

    UnOp(String symbol) { this.symbol = symbol; }

    public String symbol() { return symbol; }
}
