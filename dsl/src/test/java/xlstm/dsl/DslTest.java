package xlstm.dsl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import xlstm.dsl.ast.AstFile;
import xlstm.dsl.ir.IrModule;

/** The facade: files in, modules out, errors as diagnostics. */
class DslTest {
    private static final String KERNEL = "kernel %s(N) {\n  input x: vec[N]\n  output y: vec[N]\n  body { y = silu(x) }\n}\n";

    @Test
    void compileTextRunsTheWholeFrontEnd() {
        IrModule m = Dsl.compile("k.xl", KERNEL.formatted("k"));
        assertEquals("k.xl", m.file());
        assertEquals("k", m.units().getFirst().name());
        assertTrue(Dsl.dumpIr(m).contains("kernel k(N)"));
    }

    @Test
    void compileFilesKeepsTheirOrderAndNames(@TempDir Path dir) throws IOException {
        Path b = Files.writeString(dir.resolve("b.xl"), KERNEL.formatted("b"));
        Path a = Files.writeString(dir.resolve("a.xl"), KERNEL.formatted("a"));
        List<IrModule> modules = Dsl.compile(b, a);
        assertEquals(List.of(b.toString(), a.toString()), modules.stream().map(IrModule::file).toList());
    }

    @Test
    void findSourcesWalksDirectoriesSorted(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("z/deep"));
        Path deep = Files.writeString(dir.resolve("z/deep/c.xl"), "");
        Path top = Files.writeString(dir.resolve("a.xl"), "");
        Files.writeString(dir.resolve("notes.txt"), "");
        assertEquals(List.of(top, deep), Dsl.findSources(dir));
    }

    @Test
    void anUnreadableFileIsADiagnostic(@TempDir Path dir) {
        Path missing = dir.resolve("missing.xl");
        DslException e = assertThrows(DslException.class, () -> Dsl.parse(missing));
        assertEquals(1, e.diagnostics().size());
        assertTrue(e.getMessage().startsWith(missing + ":1:1: cannot read the file: "), e.getMessage());
    }

    @Test
    void checkPassesOrThrowsWithAllErrors() {
        AstFile good = Dsl.parse("good.xl", KERNEL.formatted("g"));
        Dsl.check(List.of(good));
        AstFile bad = Dsl.parse("bad.xl", KERNEL.formatted("b").replace("silu(x)", "silu(q)"));
        DslException e = assertThrows(DslException.class, () -> Dsl.check(List.of(good, bad)));
        assertEquals(List.of(new Diagnostic("bad.xl", 4, 19, "unknown name 'q'")), e.diagnostics());
    }

    @Test
    void unitNamesAreUniqueAcrossFiles() {
        DslException e = assertThrows(DslException.class, () -> Dsl.lower(List.of(
                Dsl.parse("one.xl", KERNEL.formatted("k")), Dsl.parse("two.xl", KERNEL.formatted("k")))));
        assertEquals(List.of("two.xl:1:8: duplicate definition of 'k': already defined as kernel at one.xl:1:8"),
                e.diagnostics().stream().map(Diagnostic::toString).toList());
    }

    @Test
    void anEmptyFileHasNoUnits() {
        assertEquals(List.of(), Dsl.compile("empty.xl", "// nothing yet\n").units());
    }
}
