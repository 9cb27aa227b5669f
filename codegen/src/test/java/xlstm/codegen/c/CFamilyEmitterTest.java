package xlstm.codegen.c;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.stringtemplate.v4.ST;
import org.stringtemplate.v4.STGroup;
import xlstm.codegen.Compiler;
import xlstm.codegen.EmittedFile;
import xlstm.codegen.GenerateMain;
import xlstm.codegen.Target;
import xlstm.codegen.java.JavaVectorEmitter;
import xlstm.codegen.schedule.ScheduleKind;
import xlstm.codegen.schedule.ScheduledCell;
import xlstm.dsl.Dsl;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The shape of the C-family output against docs/glue-contract.md, without any external compiler. */
class CFamilyEmitterTest {
    static List<ScheduledCell> cells() {
        List<xlstm.dsl.ir.IrModule> mods = new ArrayList<>();
        try {
            Path project = xlstm.codegen.SourcesAccess.projectSources();
            if (project != null) mods.addAll(Dsl.lower(Dsl.parse(Dsl.findSources(project))));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        mods.add(Dsl.compile("probes.xl", Probes.SRC));
        return Compiler.schedule(mods, null);
    }

    @Test
    void oneFilePerScheduleAndAnIndexPerTarget() {
        List<ScheduledCell> cells = cells();
        for (CDialect d : CDialect.values()) {
            List<EmittedFile> files = Compiler.emit(cells, d.target(), null);
            Map<String, EmittedFile> byPath = new HashMap<>();
            for (EmittedFile f : files) {
                assertTrue(f.relativePath().startsWith("xlstm/generated/" + d.id() + "/"), f.relativePath());
                assertNull(byPath.put(f.relativePath(), f), "duplicate " + f.relativePath());
            }
            int kernels = 0;
            for (ScheduledCell sc : cells) {
                List<String> expected = new ArrayList<>();
                if (sc.cell().isCell()) {
                    for (ScheduleKind k : sc.schedules()) expected.add(sc.cell().name() + "_" + k.method());
                    // the tiled chunkwise form, where every variant has a chunkwise form (device-resident use)
                    boolean everyChunkwise = sc.schedules().contains(ScheduleKind.CHUNKWISE)
                            && sc.variants().stream().allMatch(v -> v.schedules().contains(ScheduleKind.CHUNKWISE));
                    if (CFamilyEmitter.TILED_DIALECTS.contains(d) && everyChunkwise)
                        expected.add(sc.cell().name() + "_chunkwise" + CFamilyEmitter.TILED);
                    // and the tiled decode step (the project's recurrences with a norm all have its state)
                    if (CFamilyEmitter.TILED_DIALECTS.contains(d) && everyChunkwise && sc.schedules().contains(ScheduleKind.STEP))
                        expected.add(sc.cell().name() + "_step" + CFamilyEmitter.TILED);
                    // and on CUDA its wide twin, for many rows
                    if (d == CDialect.CUDA && everyChunkwise && sc.schedules().contains(ScheduleKind.STEP))
                        expected.add(sc.cell().name() + "_step" + CFamilyEmitter.STEP_WIDE);
                    // and on CUDA its tensor-core form, fused and split in two passes
                    if (d == CDialect.CUDA && everyChunkwise)
                        for (String suffix : List.of(CFamilyEmitter.TENSOR, CFamilyEmitter.TENSOR_STATES, CFamilyEmitter.TENSOR_OUT))
                            expected.add(sc.cell().name() + "_chunkwise" + suffix);
                } else {
                    expected.add(sc.cell().name() + "_apply");
                    // and on CUDA, for an elementwise kernel, its twins with bf16 outputs, and bf16 inputs too
                    if (d == CDialect.CUDA && CFamilyEmitter.elementwiseDim(sc.cell()) != null) {
                        expected.add(sc.cell().name() + "_apply" + CFamilyEmitter.BF16_OUT);
                        expected.add(sc.cell().name() + "_apply" + CFamilyEmitter.BF16_IO);
                    }
                }
                for (String e : expected) {
                    EmittedFile f = byPath.get(d.folder() + "/" + e + "." + d.extension());
                    assertNotNull(f, d.id() + ": " + e + " in " + byPath.keySet());
                    String text = f.content();
                    assertEquals(1, text.split("\nXL_KERNEL ", -1).length - 1, e + ": exactly one kernel");
                    assertTrue(text.contains("\nXL_KERNEL " + e + "(")
                            || text.contains("\nXL_KERNEL __launch_bounds__(" + CFamilyEmitter.TENSOR_THREADS + ", 1) " + e + "(")
                            || text.contains("\nXL_KERNEL __launch_bounds__(" + CFamilyEmitter.TENSOR_THREADS + ", 2) " + e + "("),
                            e + ": entry point named like the file");
                    assertFalse(text.matches("(?s).*(/work/|/home/|/tmp/|/usr/).*"), e + ": no machine paths");
                    kernels++;
                }
            }
            EmittedFile index = byPath.get(d.folder() + "/index.tsv");
            assertNotNull(index, d.id() + " index");
            List<String> lines = index.content().lines().filter(l -> !l.startsWith("#")).toList();
            assertEquals(kernels, lines.size(), "one index line per kernel");
            assertEquals(kernels + 1, files.size(), "kernels + index");
            assertTrue(index.content().startsWith("# entry\tfile\tunit\tschedule\tlaunch\tcount\tscratch\tsignature\tshared\tthreads\n"));
            for (String l : lines) {
                String[] c = l.split("\t", -1);
                assertEquals(10, c.length, l);
                assertEquals(c[0] + "." + d.extension(), c[1]);
                assertTrue(byPath.containsKey(d.folder() + "/" + c[1]), c[1]);
                assertTrue(List.of("items", "group", "groups").contains(c[4]), c[4]);
                Map<String, Long> vars = new HashMap<>(Map.of("B", 2L, "NH", 3L, "S", 5L, "rows", 4L, "chunkSize", 2L, "L", 2L));
                for (String dim : List.of("DQK", "DV", "DH", "N", "D", "E", "DK")) vars.put(dim, 8L);
                assertTrue(Formula.eval(c[5], vars) > 0, c[5]);
                assertTrue(Formula.eval(c[6], vars) >= 0, c[6]);
                assertTrue(c[7].endsWith("scratch" + (d == CDialect.METAL ? " [[buffer(" + (c[7].split(",").length - 1) + ")]]" : "")),
                        c[7]);
            }
        }
    }

    @Test
    void argumentsAreTheJavaEntryPointsThenScratch() {
        for (ScheduledCell sc : cells())
            for (CDialect d : CDialect.values()) {
                CFamilyEmitter em = new CFamilyEmitter(d);
                for (CFamilyEmitter.KernelModel k : em.kernels(sc)) {
                    ScheduleKind kind = sc.cell().isCell() ? ScheduleKind.valueOf(k.schedule().toUpperCase()) : ScheduleKind.ROWS;
                    List<JavaVectorEmitter.Arg> java = JavaVectorEmitter.signature(sc.cell(), kind);
                    List<CFamilyEmitter.ParamModel> params = k.params();
                    boolean tiled = k.entry().endsWith(CFamilyEmitter.TILED) || k.entry().endsWith(CFamilyEmitter.STEP_WIDE)
                            || k.entry().endsWith(CFamilyEmitter.TENSOR)
                            || k.entry().endsWith(CFamilyEmitter.TENSOR_STATES) || k.entry().endsWith(CFamilyEmitter.TENSOR_OUT);
                    if (tiled) {
                        // the tiled forms (also on tensor cores) add read-only initial states <state>_in after the states, the rest as Java's
                        List<CFamilyEmitter.ParamModel> extra = params.stream().filter(p -> p.name().endsWith("_in")).toList();
                        assertFalse(extra.isEmpty(), k.entry());
                        for (CFamilyEmitter.ParamModel p : extra) {
                            assertTrue(p.inBuf(), p.name());
                            String state = p.name().substring(0, p.name().length() - 3);
                            assertTrue(sc.cell().states().stream().anyMatch(x -> x.name().equals(state)), p.name());
                        }
                        params = params.stream().filter(p -> !extra.contains(p)).toList();
                    }
                    assertEquals(java.size() + 1, params.size(), k.entry());
                    for (int i = 0; i < java.size(); i++) {
                        JavaVectorEmitter.Arg a = java.get(i);
                        CFamilyEmitter.ParamModel p = params.get(i);
                        if (!tiled) assertEquals(i, p.index());
                        switch (a.type()) {
                            case "int", "boolean" -> assertTrue(p.intArg(), k.entry() + " " + a);
                            case "float" -> assertTrue(p.floatArg(), k.entry() + " " + a);
                            default -> assertTrue(p.inBuf() || p.outBuf()
                                    || (k.entry().endsWith(CFamilyEmitter.BF16_OUT) || k.entry().endsWith(CFamilyEmitter.BF16_IO))
                                    && p.bf16Buf()
                                    || k.entry().endsWith(CFamilyEmitter.BF16_IO) && p.bf16In(), k.entry() + " " + a);
                        }
                        assertEquals(a.name().replaceAll("_$", ""), p.name().replaceAll("_u$", ""), k.entry());
                    }
                    CFamilyEmitter.ParamModel last = params.getLast();
                    assertTrue(last.outBuf() && last.name().equals("scratch"), k.entry());
                }
            }
    }

    @Test
    void theTargetsShareOneBody() {
        for (ScheduledCell sc : cells()) {
            Map<String, String> bodies = new HashMap<>();
            for (CDialect d : CDialect.values())
                for (CFamilyEmitter.KernelModel k : new CFamilyEmitter(d).kernels(sc)) {
                    String prev = bodies.putIfAbsent(k.entry(), k.body());
                    if (prev != null) assertEquals(prev, k.body(), k.entry() + ": " + d.id() + " differs in its body");
                }
        }
    }

    @Test
    void launchKindsFollowTheSchedules() {
        Map<String, CFamilyEmitter.KernelModel> ks = new HashMap<>();
        for (ScheduledCell sc : cells())
            for (CFamilyEmitter.KernelModel k : new CFamilyEmitter(CDialect.OPENCL).kernels(sc)) ks.put(k.entry(), k);
        assertEquals("group", ks.get("mixed_step").launch(), "a cell using all_zero runs as one work-group");
        assertEquals("1", ks.get("mixed_step").count());
        assertEquals("groups", ks.get("projected_chunkwise").launch());
        assertEquals("B*NH", ks.get("projected_parallel").count());
        assertEquals("items", ks.get("scaled_apply").launch());
        assertEquals("rows*((N+7)/8)", ks.get("scaled_apply").count());
        assertEquals("rows", ks.get("rowstat_apply").count(), "a kernel with a reduction runs a work-item per row");
        if (ks.containsKey("mlstm_chunkwise")) {
            assertEquals("B*NH", ks.get("mlstm_chunkwise").count());
            assertEquals("B*NH*(DQK+2*DQK*L+2*DV*L+8*L+L*L)", ks.get("mlstm_chunkwise").scratch());
            // the tiled form: one work-group per (b, h, tile of 64 value columns), initial n and m as inputs
            CFamilyEmitter.KernelModel tiled = ks.get("mlstm_chunkwise_tiled");
            assertEquals("B*NH*((DV+63)/64)", tiled.count());
            assertEquals("B*NH*((DV+63)/64)*(DQK+2*DQK*L+2*DV*L+8*L+L*L)", tiled.scratch());
            assertEquals(List.of("C", "n", "m", "n_in", "m_in", "h"),
                    tiled.params().stream().map(CFamilyEmitter.ParamModel::name)
                            .filter(x -> List.of("C", "n", "m", "n_in", "m_in", "h").contains(x)).toList());
            assertEquals("items", ks.get("mlstm_sequence").launch());
            assertEquals("group", ks.get("slstm_sequence").launch());
            assertEquals("1", ks.get("slstm_sequence").count());
        }
    }

    @Test
    void recordsRenderInTemplatesAndUnknownPropertiesFail() {
        record R(String name, int n) {}
        STGroup g = new org.stringtemplate.v4.STGroupString("t", "t(r) ::= \"$r.name$=$r.n$\"\nu(r) ::= \"$r.nope$\"", '$', '$');
        CFamilyEmitter.configure(g);
        ST t = g.getInstanceOf("t");
        t.add("r", new R("x", 3));
        assertEquals("x=3", t.render());
        ST u = g.getInstanceOf("u");
        u.add("r", new R("x", 3));
        IllegalStateException x = assertThrows(IllegalStateException.class, u::render);
        assertTrue(x.getMessage().contains("nope"), x.getMessage());
    }

    @Test
    void namesThatClashAreRenamedAndLimitsAreReported() {
        List<EmittedFile> fs = Compiler.compile("k.xl", """
                kernel clash(N) {
                  input  half: vec[N], global: vec[N], scratch: vec[N]
                  output device: vec[N]
                  body { device = half + global * scratch }
                }
                """, Target.OPENCL, null);
        String src = fs.getFirst().content();
        assertTrue(src.contains("__global const float* XL_RESTRICT half_u") && src.contains("__global const float* XL_RESTRICT scratch_u")
                && src.contains("__global float* device_u, __global float* scratch)"), src);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Compiler.compile("l.xl", """
                cell chunky(L, DV) {
                  input  q: vec[L], k: vec[L], v: vec[DV], f: scalar
                  state  C: mat[L, DV] = 0
                  output h: vec[DV]
                  step {
                    C' = exp(logsigmoid(f)) * C + outer(k, v)
                    h  = matvec(q, C')
                  }
                }
                """, Target.CUDA, null));
        assertTrue(e.getMessage().contains("dim named L"), e.getMessage());
        StringBuilder inputs = new StringBuilder();
        for (int i = 0; i < 30; i++) inputs.append(i == 0 ? "" : ", ").append("x").append(i).append(": vec[N]");
        IllegalArgumentException m = assertThrows(IllegalArgumentException.class, () -> Compiler.compile("m.xl",
                "kernel wide(N) {\n  input " + inputs + "\n  output y: vec[N]\n  body { y = x0 + x29 }\n}\n", Target.METAL, null));
        assertTrue(m.getMessage().contains("Metal"), m.getMessage());
    }

    @Test
    void generateMainWritesEveryKernelTarget(@TempDir Path dir) throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        Files.writeString(src.resolve("k.xl"), "kernel twice(N) {\n  input x: vec[N]\n  output y: vec[N]\n  body { y = x * 2 }\n}\n");
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        int rc = GenerateMain.run(new String[]{src.toString(), dir.resolve("java").toString(), "--kernels", dir.resolve("res").toString()},
                new PrintStream(o), new PrintStream(e));
        assertEquals(0, rc, e.toString());
        assertTrue(Files.exists(dir.resolve("java/xlstm/generated/TwiceKernel.java")));
        for (CDialect d : CDialect.values()) {
            assertTrue(Files.exists(dir.resolve("res").resolve(d.folder()).resolve("twice_apply." + d.extension())), d.id());
            assertTrue(Files.exists(dir.resolve("res").resolve(d.folder()).resolve("index.tsv")), d.id());
        }
    }
    @Test
    void theStepKernelsShapesFollowTheirTileWidth() {
        CFamilyEmitter.StepTile narrow = CFamilyEmitter.StepTile.of(CFamilyEmitter.STEP_TILE);
        assertEquals(new CFamilyEmitter.StepTile(32, 8, 128, 33, 1), narrow);
        CFamilyEmitter.StepTile wide = CFamilyEmitter.StepTile.of(CFamilyEmitter.STEP_WIDE_TILE);
        assertEquals(new CFamilyEmitter.StepTile(64, 16, 64, 65, 2), wide);
        assertThrows(IllegalArgumentException.class, () -> CFamilyEmitter.StepTile.of(48), "whole 128-byte lines only");
        // each kernel declares its partial sums as its tile says, and the wide one launches half as many work-groups
        ScheduledCell mlstm = cells().stream().filter(c -> c.cell().name().equals("mlstm")).findFirst().orElseThrow();
        Map<String, CFamilyEmitter.KernelModel> byEntry = new HashMap<>();
        for (CFamilyEmitter.KernelModel k : new CFamilyEmitter(CDialect.CUDA).kernels(mlstm)) byEntry.put(k.entry(), k);
        CFamilyEmitter.KernelModel tiled = byEntry.get("mlstm_step" + CFamilyEmitter.TILED);
        CFamilyEmitter.KernelModel wideK = byEntry.get("mlstm_step" + CFamilyEmitter.STEP_WIDE);
        assertTrue(tiled.body().contains("_part[" + 128 * 33 + "]"), "narrow partial sums");
        assertTrue(wideK.body().contains("_part[" + 64 * 65 + "]"), "wide partial sums");
        Map<String, Long> vars = new HashMap<>(Map.of("B", 2L, "NH", 8L, "DV", 512L));
        assertEquals(2 * 8 * 16, Formula.eval(tiled.count(), vars));
        assertEquals(2 * 8 * 8, Formula.eval(wideK.count(), vars));
        // and OpenCL, which shares the narrow kernel's body, has no wide one
        assertTrue(new CFamilyEmitter(CDialect.OPENCL).kernels(mlstm).stream()
                .noneMatch(k -> k.entry().endsWith(CFamilyEmitter.STEP_WIDE)));
    }
}
