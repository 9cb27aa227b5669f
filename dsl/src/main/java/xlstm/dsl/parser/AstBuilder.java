package xlstm.dsl.parser;

import java.util.List;
import java.util.Optional;

import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.Token;

import xlstm.dsl.ast.Assignment;
import xlstm.dsl.ast.AstFile;
import xlstm.dsl.ast.Block;
import xlstm.dsl.ast.Declaration;
import xlstm.dsl.ast.Definition;
import xlstm.dsl.ast.DefinitionKind;
import xlstm.dsl.ast.Identifier;
import xlstm.dsl.ast.Literal;
import xlstm.dsl.ast.Position;
import xlstm.dsl.ast.Role;
import xlstm.dsl.ast.Section;
import xlstm.dsl.ast.TypeSyntax;

/** Turns a syntactically valid parse tree into the AST (declarations and statements; see {@link ExprBuilder}). */
final class AstBuilder {
    private final String file;
    private final ExprBuilder exprs;

    AstBuilder(String file) {
        this.file = file;
        this.exprs = new ExprBuilder(this);
    }

    AstFile file(XlstmParser.FileContext ctx) {
        return new AstFile(file, ctx.definition().stream().map(this::definition).toList());
    }

    private Definition definition(XlstmParser.DefinitionContext ctx) {
        DefinitionKind kind = ctx.kind.getType() == XlstmLexer.CELL ? DefinitionKind.CELL : DefinitionKind.KERNEL;
        List<Section> sections = ctx.member().stream().filter(m -> m.section() != null).map(m -> section(m.section())).toList();
        List<Block> blocks = ctx.member().stream().filter(m -> m.block() != null).map(m -> block(m.block())).toList();
        return new Definition(kind, identifier(ctx.name), identifiers(ctx.dims), sections, blocks, pos(ctx));
    }

    private Section section(XlstmParser.SectionContext ctx) {
        Role role = switch (ctx.role.getType()) {
            case XlstmLexer.INPUT -> Role.INPUT;
            case XlstmLexer.WEIGHT -> Role.WEIGHT;
            case XlstmLexer.STATE -> Role.STATE;
            case XlstmLexer.OUTPUT -> Role.OUTPUT;
            default -> Role.PARAM;
        };
        return new Section(role, ctx.declaration().stream().map(d -> declaration(role, d)).toList(), pos(ctx));
    }

    private Declaration declaration(Role role, XlstmParser.DeclarationContext ctx) {
        Optional<TypeSyntax> type = Optional.ofNullable(ctx.type())
                .map(t -> new TypeSyntax(t.name.getText(), identifiers(t.dims), pos(t)));
        Optional<Literal> value = Optional.ofNullable(ctx.literal()).map(this::literal);
        return new Declaration(role, identifier(ctx.name), type, value, pos(ctx));
    }

    private Literal literal(XlstmParser.LiteralContext ctx) {
        return switch (ctx) {
            case XlstmParser.NumberLiteralContext n -> {
                String text = n.getText();
                yield new Literal.NumberLiteral(Double.parseDouble(text), text, pos(n));
            }
            case XlstmParser.BoolLiteralContext b -> new Literal.BoolLiteral(b.TRUE() != null, pos(b));
            default -> throw new IllegalStateException("unknown literal " + ctx.getText());
        };
    }

    private Block block(XlstmParser.BlockContext ctx) {
        return new Block(ctx.keyword.getText(), ctx.statement().stream().map(this::statement).toList(), pos(ctx));
    }

    private Assignment statement(XlstmParser.StatementContext ctx) {
        boolean next = ctx.target.getType() == XlstmLexer.NEXT_ID;
        String text = ctx.target.getText();
        Identifier target = new Identifier(next ? text.substring(0, text.length() - 1) : text, pos(ctx.target));
        return new Assignment(target, next, exprs.visit(ctx.expr()), pos(ctx));
    }

    Identifier identifier(Token token) { return new Identifier(token.getText(), pos(token)); }

    private List<Identifier> identifiers(List<Token> tokens) { return tokens.stream().map(this::identifier).toList(); }

    /** Columns count from 1 in messages, ANTLR counts from 0. */
    Position pos(Token token) { return new Position(file, token.getLine(), token.getCharPositionInLine() + 1); }

    Position pos(ParserRuleContext ctx) { return pos(ctx.getStart()); }
}
