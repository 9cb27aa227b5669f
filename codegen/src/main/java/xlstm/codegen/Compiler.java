package xlstm.codegen;

import xlstm.codegen.autodiff.Adjoint;
import xlstm.codegen.pass.PassManager;
import xlstm.codegen.pass.Validate;
import xlstm.codegen.schedule.ScheduleDerivation;
import xlstm.codegen.schedule.ScheduledCell;
import xlstm.dsl.Diagnostic;
import xlstm.dsl.Dsl;
import xlstm.dsl.DslException;
import xlstm.dsl.ast.AstFile;
import xlstm.dsl.ir.CellIR;
import xlstm.dsl.ir.IrException;
import xlstm.dsl.ir.IrModule;
import xlstm.dsl.ir.IrPrinter;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The compiler facade: DSL sources to emitted files for one {@link Target}.
 * <pre>
 *   .xl --Dsl.parse--> AST --Dsl.lower--> IR --validate, constant-fold, dead-code--> IR
 *       --ScheduleDerivation (bool specialisation, recurrence matching)--> scheduled IR --Emitter--> files
 * </pre>
 * Every stage can be dumped through a {@link DumpSink}: {@code ast} (per file), {@code ir}, {@code ir.validate},
 * {@code ir.constant-fold}, {@code ir.dead-code}, {@code backward} (per unit: the adjoint step or row autodiff derives, see
 * {@link xlstm.codegen.autodiff.Adjoint}), {@code scheduled} (per unit) and {@code source} (per emitted file).
 * User errors (syntax, types, shapes) are thrown as {@link DslException} with {@code file:line:col: message}
 * diagnostics.
 */
public final class Compiler {
    public static final List<String> STAGES = List.of("ast", "ir", "ir.validate", "ir.constant-fold", "ir.dead-code",
            "backward", "scheduled", "source");

    private Compiler() {}

    /** Compiles source files (all checked together; unit names unique across them). */
    public static List<EmittedFile> compile(List<Path> sources, Target target, DumpSink dump) {
        DumpSink d = dump == null ? DumpSink.NONE : dump;
        List<AstFile> asts = Dsl.parse(sources);
        for (AstFile a : asts) d.accept("ast", fileName(a), Dsl.dumpAst(a));
        return emit(schedule(Dsl.lower(asts), d), target, d);
    }

    /** Compiles one source text; {@code fileName} is used in messages. */
    public static List<EmittedFile> compile(String fileName, String text, Target target, DumpSink dump) {
        DumpSink d = dump == null ? DumpSink.NONE : dump;
        AstFile ast = Dsl.parse(fileName, text);
        d.accept("ast", fileName, Dsl.dumpAst(ast));
        return emit(schedule(List.of(Dsl.lower(ast)), d), target, d);
    }

    /** The passes and schedule derivation over lowered modules. */
    public static List<ScheduledCell> schedule(List<IrModule> modules, DumpSink dump) {
        DumpSink d = dump == null ? DumpSink.NONE : dump;
        PassManager pm = PassManager.standard();
        List<ScheduledCell> out = new ArrayList<>();
        List<Diagnostic> errors = new ArrayList<>();
        for (IrModule m : modules) {
            for (CellIR c : m.units()) {
                d.accept("ir", c.name(), IrPrinter.print(c));
                try {
                    CellIR opt = pm.run(c, d);
                    d.accept("backward", c.name(), IrPrinter.print(Adjoint.derive(opt).ir()));
                    ScheduledCell sc = ScheduleDerivation.derive(opt);
                    d.accept("scheduled", c.name(), sc.dump());
                    out.add(sc);
                } catch (Validate.CompileErrors e) {
                    for (IrException x : e.errors()) errors.add(diagnostic(x));
                } catch (IrException x) {
                    errors.add(diagnostic(x));
                }
            }
        }
        if (!errors.isEmpty()) throw new DslException(errors);
        return out;
    }

    /** Runs the emitter of {@code target} over scheduled cells. */
    public static List<EmittedFile> emit(List<ScheduledCell> cells, Target target, DumpSink dump) {
        DumpSink d = dump == null ? DumpSink.NONE : dump;
        Emitter em = target.emitter();
        List<EmittedFile> files = new ArrayList<>();
        for (ScheduledCell sc : cells) {
            for (EmittedFile f : em.emit(sc)) {
                d.accept("source", f.relativePath(), f.content());
                files.add(f);
            }
        }
        files.addAll(em.finish(cells));
        return files;
    }

    /** A single cell through the passes and schedule derivation (for tests and tools). */
    public static ScheduledCell scheduleOne(CellIR cell) {
        return ScheduleDerivation.derive(PassManager.standard().run(cell, DumpSink.NONE));
    }

    static Diagnostic diagnostic(IrException x) {
        return new Diagnostic(x.pos().file(), Math.max(1, x.pos().line()), Math.max(1, x.pos().col()), x.getMessage());
    }

    private static String fileName(AstFile a) { return a.name(); }
}
