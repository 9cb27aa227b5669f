package xlstm.codegen;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xlstm.dsl.Dsl;
import xlstm.dsl.DslException;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class CompilerTest {
    @Test
    void everyStageIsDumped() {
        Map<String, String> stages = new TreeMap<>();
        List<EmittedFile> files = Compiler.compile("cells.xl", Sources.MLSTM + Sources.SLSTM, Target.JAVA,
                (stage, unit, text) -> stages.put(stage + ":" + unit, text));
        assertEquals(List.of("xlstm/generated/MlstmCell.java", "xlstm/generated/MlstmCellGrad.java",
                "xlstm/generated/SlstmCell.java", "xlstm/generated/SlstmCellGrad.java"),
                files.stream().map(EmittedFile::relativePath).toList());
        for (String s : Compiler.STAGES) assertTrue(stages.keySet().stream().anyMatch(k -> k.startsWith(s + ":")), s + " missing: " + stages.keySet());
        assertTrue(stages.get("scheduled:mlstm").contains("LinearRecurrence"));
        assertTrue(stages.get("scheduled:slstm").contains("no chunkwise/parallel form"));
        assertTrue(stages.get("backward:slstm").contains("cell slstm_grad(DH)"), stages.get("backward:slstm"));
        assertTrue(stages.get("source:xlstm/generated/SlstmCellGrad.java").contains("public static void sequence(int B, int NH, int S, int DH,"));
        assertTrue(stages.get("source:xlstm/generated/MlstmCell.java").contains("public static void chunkwise(int B, int NH, int S, int DQK, int DV, int chunkSize,"));
    }

    @Test
    void theProjectSourcesCompileToTheContractClasses() throws Exception {
        Path src = Sources.projectSources();
        assumeTrue(src != null, "generated/src/main/xlstm not in this checkout");
        List<EmittedFile> files = Compiler.compile(Dsl.findSources(src), Target.JAVA, null);
        List<String> names = new ArrayList<>();
        for (EmittedFile f : files) names.add(f.relativePath().replace("xlstm/generated/", ""));
        assertTrue(names.containsAll(List.of("MlstmCell.java", "MlstmSigCell.java", "SlstmCell.java", "SoftcapRowsKernel.java",
                "MlstmSkipGateKernel.java", "MlstmCellGrad.java", "MlstmSigCellGrad.java", "SlstmCellGrad.java",
                "LstmCellGrad.java", "SoftcapRowsKernelGrad.java", "MlstmSkipGateKernelGrad.java")), names.toString());
        String sig = files.stream().filter(f -> f.relativePath().endsWith("MlstmSigCell.java")).findFirst().orElseThrow().content();
        assertTrue(sig.contains("public static final boolean DEFAULT_NORMALIZE = true;"));
        assertTrue(sig.contains("public static final float DEFAULT_EPS = 1.0E-6f;"));
        assertTrue(sig.contains("public static void parallel(int B, int NH, int S, int DQK, int DV, MemorySegment q,"));
        String sl = files.stream().filter(f -> f.relativePath().endsWith("SlstmCell.java")).findFirst().orElseThrow().content();
        assertFalse(sl.contains("chunkwise("), "sLSTM has only the sequential schedule");
        assertTrue(sl.contains("_allZero(n,"));
        for (EmittedFile f : files) assertFalse(f.content().contains("SPECIES_512") || f.content().contains("SPECIES_256"), "no fixed width");
    }

    @Test
    void dslErrorsAreReportedWithPositions() {
        DslException e = assertThrows(DslException.class, () -> Compiler.compile("bad.xl", """
                kernel k(N) {
                  input x: vec[N]
                  output y: vec[N]
                  body { y = dot(x, x) + outer(x, x) }
                }
                """, Target.JAVA, null));
        assertTrue(e.getMessage().startsWith("bad.xl:4:"), e.getMessage());
    }

    @Test
    void generateMainWritesFilesAndExitsTwoOnErrors(@TempDir Path dir) throws Exception {
        Path src = dir.resolve("src");
        Files.createDirectories(src.resolve("cells"));
        Files.writeString(src.resolve("cells/mlstm.xl"), Sources.MLSTM);
        Path out = dir.resolve("out"), dump = dir.resolve("dump");
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        int rc = GenerateMain.run(new String[]{src.toString(), out.toString(), "--dump", dump.toString()},
                new PrintStream(o), new PrintStream(e));
        assertEquals(0, rc, e.toString());
        assertTrue(Files.exists(out.resolve("xlstm/generated/MlstmCell.java")));
        assertTrue(Files.exists(dump.resolve("mlstm.scheduled.txt")));
        // stale files are removed, unchanged files are not rewritten
        Files.writeString(out.resolve("xlstm/generated/Stale.java"), "class Stale {}");
        rc = GenerateMain.run(new String[]{src.toString(), out.toString()}, new PrintStream(o), new PrintStream(e));
        assertEquals(0, rc);
        assertFalse(Files.exists(out.resolve("xlstm/generated/Stale.java")));
        assertTrue(o.toString().contains("(0 changed)"), o.toString());

        Files.writeString(src.resolve("cells/bad.xl"), "cell bad(D) {\n  input x: vec[D]\n  output h: vec[D]\n  step { h = x + y }\n}\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        rc = GenerateMain.run(new String[]{src.toString(), out.toString()}, new PrintStream(o), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, rc);
        String msg = err.toString(StandardCharsets.UTF_8);
        assertTrue(msg.matches("(?s).*bad\\.xl:4:\\d+: .*"), msg);
    }

    @Test
    void everyTargetHasAnEmitter() {
        for (Target t : Target.values()) {
            assertTrue(t.available(), t.id());
            assertEquals(t, t.emitter().target(), t.id());
        }
        assertEquals(Target.OPENCL, Target.byId("OpenCL").orElseThrow());
        assertTrue(Target.byId("fortran").isEmpty());
    }
}
