package xlstm.maven;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xlstm.codegen.Target;
import xlstm.dsl.DslException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GeneratorTest {
    static final String DECAY = """
            cell decay(D) {
              input  x: vec[D], g: scalar
              state  s: vec[D] = 0
              output y: vec[D]
              step {
                s' = sigmoid(g) * s + x
                y  = tanh(s')
              }
            }
            """;
    static final String SCALE = """
            kernel scale_rows(N) {
              input  x: vec[N]
              output y: vec[N]
              param  c = 2
              body { y = x * c }
            }
            """;

    @TempDir Path dir;
    final List<String> log = new ArrayList<>();

    Generator generator(String pkg) {
        Generator.Config c = new Generator.Config(dir.resolve("src"), dir.resolve("java"), dir.resolve("res"),
                Generator.resolveTargets(null), pkg, null);
        return new Generator(c, dir.resolve("state/default.state"), log::add);
    }

    void source(String name, String text) throws Exception {
        Path p = dir.resolve("src").resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    @Test
    void compilesEveryTargetAndSkipsWhenNothingChanged() throws Exception {
        source("cells/decay.xl", DECAY);
        source("kernels/scale.xl", SCALE);
        Generator.Result r = generator(null).run(false);
        assertFalse(r.upToDate());
        assertEquals(2, r.sources());
        assertEquals(4, r.javaFiles()); // the cell, the kernel and the derived backward of each
        Path cell = dir.resolve("java/xlstm/generated/DecayCell.java");
        assertTrue(Files.readString(cell).contains("package xlstm.generated;"));
        assertTrue(Files.isRegularFile(dir.resolve("java/xlstm/generated/ScaleRowsKernel.java")));
        assertTrue(Files.readString(dir.resolve("java/xlstm/generated/DecayCellGrad.java")).contains("public final class DecayCellGrad"));
        assertTrue(Files.readString(dir.resolve("java/xlstm/generated/ScaleRowsKernelGrad.java")).contains("public static void apply("));
        long others = Target.values().length;
        for (Target t : Target.values()) if (!t.available()) others--;
        // every target beyond Java writes at least one file (as far as the compiler has emitters)
        assertEquals(others > 1, r.resourceFiles() > 0, "resource files " + r.resourceFiles());

        FileTime before = Files.getLastModifiedTime(cell);
        Generator.Result again = generator(null).run(false);
        assertTrue(again.upToDate(), log.toString());
        assertEquals(4, again.javaFiles());
        assertTrue(log.getLast().contains("up to date"), log.getLast());

        // a touched but unchanged source: still up to date; forced: compiled, but no file rewritten
        Files.setLastModifiedTime(dir.resolve("src/cells/decay.xl"), FileTime.fromMillis(System.currentTimeMillis() + 5000));
        assertTrue(generator(null).run(false).upToDate());
        Generator.Result forced = generator(null).run(true);
        assertFalse(forced.upToDate());
        assertEquals(0, forced.changed());
        assertEquals(before, Files.getLastModifiedTime(cell));

        // a deleted output: compiled again
        Files.delete(cell);
        Generator.Result restored = generator(null).run(false);
        assertFalse(restored.upToDate());
        assertEquals(1, restored.changed());
    }

    @Test
    void changedSourcesAreCompiledAndStaleOutputsRemoved() throws Exception {
        source("decay.xl", DECAY);
        generator(null).run(false);
        source("decay.xl", DECAY.replace("cell decay(D)", "cell fade(D)"));
        Generator.Result r = generator(null).run(false);
        assertFalse(r.upToDate());
        assertTrue(Files.isRegularFile(dir.resolve("java/xlstm/generated/FadeCell.java")));
        assertFalse(Files.exists(dir.resolve("java/xlstm/generated/DecayCell.java")));
        assertTrue(r.removed() >= 1);
    }

    @Test
    void javaPackageMovesTheClasses() throws Exception {
        source("decay.xl", DECAY);
        generator("org.example.cells").run(false);
        Path moved = dir.resolve("java/org/example/cells/DecayCell.java");
        assertTrue(Files.readString(moved).contains("package org.example.cells;"));
        assertFalse(Files.readString(moved).contains("xlstm.generated"));
        // kernel resources move with the package, so that they cannot shadow xlstm-generated's
        assertFalse(Files.exists(dir.resolve("res/xlstm/generated")));
        // switching the package back removes the moved file
        generator(null).run(false);
        assertFalse(Files.exists(moved));
        assertTrue(Files.isRegularFile(dir.resolve("java/xlstm/generated/DecayCell.java")));
        assertThrows(IllegalArgumentException.class, () -> generator("org.example.1cells"));
    }

    @Test
    void relocationCoversSubPackagesAndReferences() {
        var f = new xlstm.codegen.EmittedFile("xlstm/generated/opencl/Glue.java", "u",
                "// x\npackage xlstm.generated.opencl;\n\nimport xlstm.generated.MlstmCell;\n// xlstm.generatedX\n");
        var g = Generator.relocate(f, "org.acme.k");
        assertEquals("org/acme/k/opencl/Glue.java", g.relativePath());
        assertEquals("// x\npackage org.acme.k.opencl;\n\nimport org.acme.k.MlstmCell;\n// xlstm.generatedX\n", g.content());
        var res = new xlstm.codegen.EmittedFile("xlstm/generated/opencl/index.tsv", "index", "# x\tk.cl");
        assertEquals(new xlstm.codegen.EmittedFile("org/acme/k/opencl/index.tsv", "index", "# x\tk.cl"),
                Generator.relocate(res, "org.acme.k"));
        var elsewhere = new xlstm.codegen.EmittedFile("kernels/opencl/mlstm.cl", "u", "kernel");
        assertEquals(elsewhere, Generator.relocate(elsewhere, "org.acme.k"));
        assertThrows(IllegalStateException.class,
                () -> Generator.relocate(new xlstm.codegen.EmittedFile("other/X.java", "u", "package other;"), "org.acme.k"));
    }

    @Test
    void dslErrorsAreFileLineColumnDiagnosticsAndLeaveNoState() throws Exception {
        source("decay.xl", DECAY);
        generator(null).run(false);
        source("decay.xl", DECAY.replace("y  = tanh(s')", "y  = tanh(s') +"));
        DslException e = assertThrows(DslException.class, () -> generator(null).run(false));
        assertFalse(e.diagnostics().isEmpty());
        String first = e.diagnostics().getFirst().toString();
        assertTrue(first.matches(".*decay\\.xl:\\d+:\\d+: .+"), first);
        assertFalse(Files.exists(dir.resolve("state/default.state")));
        // still failing the next time (nothing is considered up to date)
        assertThrows(DslException.class, () -> generator(null).run(false));
    }

    @Test
    void noSources() {
        assertThrows(Generator.NoSourcesException.class, () -> generator(null).run(false));
    }

    @Test
    void targets() {
        assertEquals(Target.JAVA, Generator.resolveTargets(List.of()).getFirst());
        assertEquals(List.of(Target.JAVA), Generator.resolveTargets(List.of("java")));
        for (Target t : Target.values()) {
            if (t.available()) {
                assertTrue(Generator.resolveTargets(null).contains(t));
                assertEquals(t == Target.JAVA ? List.of(Target.JAVA) : List.of(Target.JAVA, t),
                        Generator.resolveTargets(List.of(t.id().toUpperCase())));
            } else {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> Generator.resolveTargets(List.of("java," + t.id())));
                assertTrue(e.getMessage().contains("no emitter"), e.getMessage());
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Generator.resolveTargets(List.of("vulkan")));
        assertTrue(e.getMessage().contains("unknown target 'vulkan'"), e.getMessage());
    }
}
