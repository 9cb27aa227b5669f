package xlstm.dsl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import xlstm.dsl.ast.AstFile;
import xlstm.dsl.ast.AstPrinter;
import xlstm.dsl.ir.IrModule;
import xlstm.dsl.ir.IrPrinter;
import xlstm.dsl.parser.SourceParser;
import xlstm.dsl.sema.Lowering;

/**
 * The DSL front-end in one place: parse source files to ASTs, check them, lower them to the typed IR, and print
 * the {@code ast} and {@code ir} dump stages. Every user error surfaces as a {@link DslException} listing all
 * problems found as {@code file:line:col: message}; file names in messages are the paths as given.
 */
public final class Dsl {
    /** Extension of DSL source files. */
    public static final String EXTENSION = ".xl";

    private Dsl() {}

    /** Parses source text; {@code fileName} is only used in positions and messages. */
    public static AstFile parse(String fileName, String text) {
        return SourceParser.parse(fileName, text);
    }

    /** Parses files (UTF-8), reporting the syntax errors of all of them together. */
    public static List<AstFile> parse(Path... files) {
        return parse(Arrays.asList(files));
    }

    public static List<AstFile> parse(List<Path> files) {
        List<AstFile> parsed = new ArrayList<>();
        List<Diagnostic> errors = new ArrayList<>();
        for (Path file : files) {
            try {
                parsed.add(parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8)));
            } catch (DslException e) {
                errors.addAll(e.diagnostics());
            } catch (IOException e) {
                errors.add(new Diagnostic(file.toString(), 1, 1, "cannot read the file: " + e));
            }
        }
        if (!errors.isEmpty()) throw new DslException(errors);
        return parsed;
    }

    /** Runs every semantic check; throws {@link DslException} with all errors, returns normally when there are none. */
    public static void check(List<AstFile> files) {
        lower(files);
    }

    /** Checks and lowers one file; unit names must be unique within it. */
    public static IrModule lower(AstFile file) {
        return Lowering.lower(file);
    }

    /** Checks and lowers files together (unit names must be unique across them); one module per file, same order. */
    public static List<IrModule> lower(List<AstFile> files) {
        return Lowering.lower(files);
    }

    /** parse, check and lower: the whole front-end for source text. */
    public static IrModule compile(String fileName, String text) {
        return lower(parse(fileName, text));
    }

    /** parse, check and lower: the whole front-end for files. */
    public static List<IrModule> compile(Path... files) {
        return lower(parse(files));
    }

    public static List<IrModule> compile(List<Path> files) {
        return lower(parse(files));
    }

    /** Every {@code *.xl} file under {@code root}, sorted by path, so that generated output is deterministic. */
    public static List<Path> findSources(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(p -> p.getFileName().toString().endsWith(EXTENSION) && Files.isRegularFile(p))
                    .sorted().toList();
        }
    }

    /** The {@code ast} dump stage. */
    public static String dumpAst(AstFile file) {
        return AstPrinter.print(file);
    }

    /** The {@code ir} dump stage. */
    public static String dumpIr(IrModule module) {
        return IrPrinter.print(module);
    }
}
