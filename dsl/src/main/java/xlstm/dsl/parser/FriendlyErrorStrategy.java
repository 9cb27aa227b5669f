package xlstm.dsl.parser;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import org.antlr.v4.runtime.DefaultErrorStrategy;
import org.antlr.v4.runtime.InputMismatchException;
import org.antlr.v4.runtime.NoViableAltException;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.ParserRuleContext;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.IntervalSet;

/**
 * ANTLR's recovery, with messages in the DSL's words: "unexpected end of line, expected ')'" instead of
 * "mismatched input '\n' expecting {')', ','}"; the tokens that can start an expression or continue one are
 * summarised as "an expression" and "an operator".
 */
final class FriendlyErrorStrategy extends DefaultErrorStrategy {
    private static final IntervalSet EXPRESSION_START = new IntervalSet(XlstmLexer.MINUS, XlstmLexer.NOT,
            XlstmLexer.ID, XlstmLexer.NEXT_ID, XlstmLexer.NUMBER, XlstmLexer.TRUE, XlstmLexer.FALSE, XlstmLexer.LPAREN);
    private static final IntervalSet OPERATORS = new IntervalSet(XlstmLexer.PLUS, XlstmLexer.MINUS, XlstmLexer.STAR,
            XlstmLexer.SLASH, XlstmLexer.LT, XlstmLexer.LE, XlstmLexer.GT, XlstmLexer.GE, XlstmLexer.EQ, XlstmLexer.NE,
            XlstmLexer.AND, XlstmLexer.OR);

    /**
     * An error directly inside a definition or a block (not inside one of its statements) skips to the brace that
     * closes it, so that the enclosing rule resumes in step instead of reporting each remaining '}' as unexpected.
     */
    @Override
    public void recover(Parser recognizer, RecognitionException e) {
        ParserRuleContext ctx = recognizer.getContext();
        boolean braced = ctx instanceof XlstmParser.DefinitionContext d && d.LBRACE() != null
                || ctx instanceof XlstmParser.BlockContext b && b.LBRACE() != null;
        if (!braced) {
            super.recover(recognizer, e);
            return;
        }
        int depth = 1;
        while (recognizer.getInputStream().LA(1) != Token.EOF) {
            int type = recognizer.getInputStream().LA(1);
            recognizer.consume();
            if (type == XlstmLexer.LBRACE) depth++;
            else if (type == XlstmLexer.RBRACE && --depth == 0) return;
        }
    }

    /** A newline ends a statement: never drop one as "extraneous" to glue two lines into one. */
    @Override
    protected Token singleTokenDeletion(Parser recognizer) {
        if (recognizer.getInputStream().LA(1) == XlstmLexer.NL) return null;
        return super.singleTokenDeletion(recognizer);
    }

    @Override
    protected void reportInputMismatch(Parser recognizer, InputMismatchException e) {
        report(recognizer, e.getOffendingToken(), unexpected(e.getOffendingToken(), e.getExpectedTokens(), recognizer));
    }

    @Override
    protected void reportNoViableAlternative(Parser recognizer, NoViableAltException e) {
        report(recognizer, e.getOffendingToken(), unexpected(e.getOffendingToken(), e.getExpectedTokens(), recognizer));
    }

    @Override
    protected void reportUnwantedToken(Parser recognizer) {
        if (inErrorRecoveryMode(recognizer)) return;
        beginErrorCondition(recognizer);
        Token t = recognizer.getCurrentToken();
        report(recognizer, t, unexpected(t, getExpectedTokens(recognizer), recognizer));
    }

    @Override
    protected void reportMissingToken(Parser recognizer) {
        if (inErrorRecoveryMode(recognizer)) return;
        beginErrorCondition(recognizer);
        Token t = recognizer.getCurrentToken();
        report(recognizer, t, "missing " + describe(getExpectedTokens(recognizer), recognizer) + " before "
                + getTokenErrorDisplay(t));
    }

    @Override
    protected String getTokenErrorDisplay(Token t) {
        if (t == null) return "<no token>";
        return switch (t.getType()) {
            case Token.EOF -> "end of file";
            case XlstmLexer.NL -> "end of line";
            default -> "'" + t.getText() + "'";
        };
    }

    private String unexpected(Token t, IntervalSet expected, Parser recognizer) {
        String message = "unexpected " + getTokenErrorDisplay(t);
        return expected == null || expected.isNil() ? message : message + ", expected " + describe(expected, recognizer);
    }

    private static void report(Parser recognizer, Token t, String message) {
        recognizer.notifyErrorListeners(t, message, null);
    }

    private static String describe(IntervalSet expected, Parser recognizer) {
        IntervalSet rest = new IntervalSet(expected);
        List<String> words = new ArrayList<>();
        if (containsAll(expected, EXPRESSION_START)) {
            words.add("an expression");
            rest = rest.subtract(EXPRESSION_START);
        }
        if (containsAll(expected, OPERATORS)) {
            words.add("an operator");
            rest = rest.subtract(OPERATORS);
        }
        for (int type : rest.toList()) words.add(tokenName(type, recognizer));
        if (words.size() == 1) return words.getFirst();
        return "one of " + String.join(", ", words.subList(0, words.size() - 1)) + " or " + words.getLast();
    }

    private static boolean containsAll(IntervalSet set, IntervalSet subset) {
        return IntStream.of(subset.toArray()).allMatch(set::contains);
    }

    private static String tokenName(int type, Parser recognizer) {
        return switch (type) {
            case Token.EOF -> "end of file";
            case XlstmLexer.NL -> "end of line";
            case XlstmLexer.ID -> "a name";
            case XlstmLexer.NEXT_ID -> "a next-state name (x')";
            case XlstmLexer.NUMBER -> "a number";
            default -> recognizer.getVocabulary().getDisplayName(type);
        };
    }
}
