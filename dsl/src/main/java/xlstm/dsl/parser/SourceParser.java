package xlstm.dsl.parser;

import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;

import xlstm.dsl.DslException;
import xlstm.dsl.ast.AstFile;

/** Source text to AST. Syntax errors of the whole file are reported together as one {@link DslException}. */
public final class SourceParser {
    private SourceParser() {}

    public static AstFile parse(String fileName, String text) {
        SyntaxErrorCollector errors = new SyntaxErrorCollector(fileName);
        XlstmLexer lexer = new XlstmLexer(CharStreams.fromString(text, fileName));
        lexer.removeErrorListeners();
        lexer.addErrorListener(errors);
        XlstmParser parser = new XlstmParser(new CommonTokenStream(lexer));
        parser.removeErrorListeners();
        parser.addErrorListener(errors);
        parser.setErrorHandler(new FriendlyErrorStrategy());
        XlstmParser.FileContext tree = parser.file();
        errors.throwIfAny();
        return new AstBuilder(fileName).file(tree);
    }
}
