package xlstm.dsl.parser;

import xlstm.dsl.ast.BinaryOp;
import xlstm.dsl.ast.Expression;
import xlstm.dsl.ast.UnaryOp;

/** Builds AST expressions from the labelled alternatives of the {@code expr} rule. */
final class ExprBuilder extends XlstmBaseVisitor<Expression> {
    private final AstBuilder positions;

    ExprBuilder(AstBuilder positions) { this.positions = positions; }

    @Override
    public Expression visitUnary(XlstmParser.UnaryContext ctx) {
        UnaryOp op = ctx.op.getType() == XlstmLexer.MINUS ? UnaryOp.NEG : UnaryOp.NOT;
        return new Expression.Unary(op, visit(ctx.expr()), positions.pos(ctx.op));
    }

    @Override
    public Expression visitBinary(XlstmParser.BinaryContext ctx) {
        return new Expression.Binary(BinaryOp.bySymbol(ctx.op.getText()), visit(ctx.expr(0)), visit(ctx.expr(1)),
                positions.pos(ctx.op));
    }

    @Override
    public Expression visitCall(XlstmParser.CallContext ctx) {
        return new Expression.Call(positions.identifier(ctx.fn), ctx.args.stream().map(this::visit).toList(),
                positions.pos(ctx.fn));
    }

    @Override
    public Expression visitNumber(XlstmParser.NumberContext ctx) {
        String text = ctx.getText();
        return new Expression.Number(Double.parseDouble(text), text, positions.pos(ctx));
    }

    @Override
    public Expression visitBool(XlstmParser.BoolContext ctx) {
        return new Expression.Bool(ctx.TRUE() != null, positions.pos(ctx));
    }

    @Override
    public Expression visitName(XlstmParser.NameContext ctx) {
        return new Expression.Name(ctx.getText(), positions.pos(ctx));
    }

    @Override
    public Expression visitNextName(XlstmParser.NextNameContext ctx) {
        String text = ctx.getText();
        return new Expression.NextName(text.substring(0, text.length() - 1), positions.pos(ctx));
    }

    /** Parentheses only group; the tree keeps the grouping. */
    @Override
    public Expression visitParens(XlstmParser.ParensContext ctx) {
        return visit(ctx.expr());
    }
}
