package xlstm.dsl.ast;

import java.util.List;

/** Expressions as written (parentheses dropped, the tree keeps the grouping). */
public sealed interface Expression {

    /** Where the expression is reported: its first token, or the operator of a binary expression. */
    Position pos();

    /** A numeric literal such as {@code 1}, {@code 0.5} or {@code 1e-6}. */
    record Number(double value, String text, Position pos) implements Expression {}

    /** {@code true} or {@code false}. */
    record Bool(boolean value, Position pos) implements Expression {}

    /** A plain name: a declaration, a dimension, or a local defined earlier. */
    record Name(String name, Position pos) implements Expression {}

    /** {@code name'}: the next value of a state, readable after its assignment. */
    record NextName(String name, Position pos) implements Expression {}

    record Unary(UnaryOp op, Expression operand, Position pos) implements Expression {}

    /** {@code pos} is the operator's position, where type errors of the operation point to. */
    record Binary(BinaryOp op, Expression left, Expression right, Position pos) implements Expression {}

    record Call(Identifier function, List<Expression> args, Position pos) implements Expression {
        public Call {
            args = List.copyOf(args);
        }
    }
}
