package xlstm.dsl.parser;

import java.util.ArrayList;
import java.util.List;

import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.Lexer;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;

import xlstm.dsl.Diagnostic;
import xlstm.dsl.DslException;

/** Collects lexer and parser errors as diagnostics instead of ANTLR's default printing to stderr. */
final class SyntaxErrorCollector extends BaseErrorListener {
    private static final String LEXER_PREFIX = "token recognition error at: ";

    private final String file;
    private final List<Diagnostic> diagnostics = new ArrayList<>();

    SyntaxErrorCollector(String file) { this.file = file; }

    @Override
    public void syntaxError(Recognizer<?, ?> recognizer, Object offendingSymbol, int line, int charPositionInLine,
                            String msg, RecognitionException e) {
        String message = recognizer instanceof Lexer && msg.startsWith(LEXER_PREFIX)
                ? "unexpected character " + msg.substring(LEXER_PREFIX.length())
                : msg;
        diagnostics.add(new Diagnostic(file, line, charPositionInLine + 1, message));
    }

    void throwIfAny() {
        if (!diagnostics.isEmpty()) throw new DslException(diagnostics);
    }
}
