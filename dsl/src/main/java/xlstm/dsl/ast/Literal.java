package xlstm.dsl.ast;

/** A constant of a declaration: a state's initial value or a param's default. */
public sealed interface Literal {

    Position pos();

    /** A number; {@code text} is the spelling in the source (with its sign), kept for printing. */
    record NumberLiteral(double value, String text, Position pos) implements Literal {
        @Override public String toString() { return text; }
    }

    record BoolLiteral(boolean value, Position pos) implements Literal {
        @Override public String toString() { return String.valueOf(value); }
    }
}
