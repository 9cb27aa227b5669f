package xlstm.dsl.ast;

import java.util.Arrays;

/** Infix operators; the grammar fixes their precedence (see Xlstm.g4). */
public enum BinaryOp {
    ADD("+"), SUB("-"), MUL("*"), DIV("/"),
    LT("<"), LE("<="), GT(">"), GE(">="), EQ("=="), NE("!="),
    AND("&&"), OR("||");

    private final String symbol;

    BinaryOp(String symbol) { this.symbol = symbol; }

    public String symbol() { return symbol; }

    public static BinaryOp bySymbol(String symbol) {
        return Arrays.stream(values()).filter(op -> op.symbol.equals(symbol)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no operator " + symbol));
    }
}
