package xlstm.dsl.ast;

import java.util.stream.Collectors;

/**
 * The {@code ast} dump stage: the parsed tree in a DSL-like form. Every compound expression is parenthesised so
 * the printed text shows how the parser grouped it; each line ends with the source position of its node.
 * <pre>
 * cell mlstm(DQK, DV)  @7:1
 *   state C: mat[DQK, DV] = 0  @9:10
 *   step  @13:3
 *     C' = ((fg * C) + (ig * outer(k, v)))  @17:5
 * </pre>
 */
public final class AstPrinter {
    private AstPrinter() {}

    public static String print(AstFile file) {
        StringBuilder out = new StringBuilder("// AST of ").append(file.name()).append('\n');
        for (Definition d : file.definitions()) print(d, out);
        return out.toString();
    }

    private static void print(Definition def, StringBuilder out) {
        line(out, 0, def.kind().keyword() + " " + def.name().name()
                + def.dims().stream().map(Identifier::name).collect(Collectors.joining(", ", "(", ")")), def.pos());
        for (Declaration d : def.declarations()) line(out, 1, declaration(d), d.pos());
        for (Block b : def.blocks()) {
            line(out, 1, b.keyword(), b.pos());
            for (Assignment a : b.statements()) line(out, 2, a.targetText() + " = " + expr(a.value()), a.pos());
        }
    }

    private static String declaration(Declaration d) {
        return d.role().keyword() + " " + d.name().name()
                + d.type().map(t -> ": " + t).orElse("")
                + d.value().map(v -> " = " + v).orElse("");
    }

    /** One expression in fully parenthesised infix form. */
    public static String expr(Expression e) {
        return switch (e) {
            case Expression.Number n -> n.text();
            case Expression.Bool b -> String.valueOf(b.value());
            case Expression.Name n -> n.name();
            case Expression.NextName n -> n.name() + "'";
            case Expression.Unary u -> "(" + u.op().symbol() + expr(u.operand()) + ")";
            case Expression.Binary b -> "(" + expr(b.left()) + " " + b.op().symbol() + " " + expr(b.right()) + ")";
            case Expression.Call c -> c.function().name()
                    + c.args().stream().map(AstPrinter::expr).collect(Collectors.joining(", ", "(", ")"));
        };
    }

    private static void line(StringBuilder out, int depth, String text, Position pos) {
        out.append("  ".repeat(depth)).append(text).append("  @").append(pos.lineCol()).append('\n');
    }
}
