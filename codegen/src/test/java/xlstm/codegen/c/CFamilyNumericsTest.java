package xlstm.codegen.c;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xlstm.codegen.Compiler;
import xlstm.codegen.interp.Interpreter;
import xlstm.codegen.schedule.ScheduleKind;
import xlstm.codegen.schedule.ScheduledCell;
import xlstm.dsl.Dsl;
import xlstm.dsl.ir.CellIR;
import xlstm.dsl.ir.Decl;
import xlstm.dsl.ir.IrModule;
import xlstm.dsl.ir.Param;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs every emitted OpenCL kernel (project cells/kernels and {@link Probes}) on the first OpenCL device (PoCL's
 * CPU device in CI) through a small C driver, with the launch, argument order and scratch size of its
 * {@code index.tsv} line, and compares outputs and final states with the float64 interpreter: step, sequence and
 * chunkwise (chunk 3 over S = 7: ragged last chunk) against the recurrent steps, parallel against the steps from
 * the initial states, kernels per row. Every buffer carries a guard tail that must come back untouched (no
 * out-of-bounds writes, scratch formula large enough). Since CUDA, HIP and Metal files differ from the OpenCL
 * ones only by preamble and parameter spelling, this also checks their bodies' arithmetic.
 */
class CFamilyNumericsTest {
    static final int GUARD = 16;
    static final float SENTINEL = -7.77e30f;

    static Path runner;
    static Path dir;
    static CFamilyEmitter emitter = new CFamilyEmitter(CDialect.OPENCL);

    @BeforeAll
    static void buildRunner(@TempDir Path tmp) throws Exception {
        dir = tmp;
        Toolchains.requireOpenClDev();
        Path cc = Toolchains.cc();
        Path src = tmp.resolve("clrun.c");
        try (var in = CFamilyNumericsTest.class.getResourceAsStream("clrun.c")) {
            Files.copy(in, src);
        }
        runner = tmp.resolve("clrun");
        var r = Toolchains.run(tmp, Map.of(), List.of(cc.toString(), "-O1", "-o", runner.toString(), src.toString(), "-lOpenCL"), 120);
        assertEquals(0, r.code(), "building the OpenCL driver:\n" + r.output());
    }

    static List<ScheduledCell> units() throws IOException {
        List<IrModule> mods = new ArrayList<>();
        Path project = xlstm.codegen.SourcesAccess.projectSources();
        if (project != null) mods.addAll(Dsl.lower(Dsl.parse(Dsl.findSources(project))));
        mods.add(Dsl.compile("probes.xl", Probes.SRC));
        return Compiler.schedule(mods, null);
    }

    /** One launch: its kernel, geometry, arguments, the float64 reference and the buffers to compare. */
    record Case(String label, CFamilyEmitter.KernelModel kernel, long global, long local, List<Object> args,
                Map<Integer, String> bufferOf, Map<String, double[]> ref, List<String> compared) {}

    /** Every case of every unit: bool variants, initial/random states, work-group sizes, row widths. */
    static List<Case> cases(CFamilyEmitter em) throws IOException {
        List<Case> out = new ArrayList<>();
        for (ScheduledCell sc : units())
            for (CFamilyEmitter.KernelModel k : em.kernels(sc)) {
                // the tensor-core form (CUDA only: fixed work-group, dynamic shared memory, bf16 products) is checked
                // on the GPU against the plain chunkwise kernel (xlstm.runtime.cuda.CellBench)
                if (k.threads() != null) continue;
                for (Map<String, Object> params : boolAssignments(sc.cell()))
                    for (boolean initStates : sc.cell().isCell() && !k.schedule().equals("parallel") ? new boolean[]{true, false} : new boolean[]{true})
                        for (int local : k.launch().equals("items") ? new int[]{5} : new int[]{1, 6})
                            for (int n : sc.cell().isCell() ? new int[]{0} : new int[]{10, 12}) {
                                String label = k.entry() + " " + params + (initStates ? " initial states" : " random states")
                                        + " local " + local + (n > 0 ? " N " + n : "");
                                out.add(prepare(label, sc, k, params, initStates, local, n));
                            }
            }
        return out;
    }

    @Test
    void everyOpenClKernelMatchesTheInterpreter() throws Exception {
        List<String> failures = new ArrayList<>();
        List<Case> cases = cases(emitter);
        java.util.Set<String> written = new java.util.HashSet<>();
        for (Case c : cases) {
            Path file = dir.resolve(c.kernel().entry() + ".cl");
            if (written.add(c.kernel().entry())) Files.writeString(file, emitter.file(c.kernel()));
            try {
                compare(c, launch(file, c.kernel().entry(), c.global(), c.local(), c.args(), c.bufferOf()));
            } catch (AssertionError | RuntimeException e) {
                failures.add(c.label() + ": " + e.getMessage());
            }
        }
        if (!failures.isEmpty()) fail(failures.size() + " of " + cases.size() + " runs failed:\n" + String.join("\n", failures));
    }

    /**
     * Opt-in ({@code -Dxlstm.cfamily.export=DIR}): writes the same cases for the CUDA kernels, to run them on a GPU
     * with {@code cuda_run.py} (CuPy + NVRTC; the GPU machine has no Java): {@code DIR/<entry>.cu},
     * {@code DIR/case<i>.job} (the job format of clrun.c), {@code DIR/case<i>.ref} (per compared buffer: int32
     * argument index, int64 n, n float32 of the float64 reference) and {@code DIR/cases.tsv}.
     */
    @Test
    @org.junit.jupiter.api.condition.EnabledIfSystemProperty(named = "xlstm.cfamily.export", matches = ".+")
    void exportCudaCases() throws Exception {
        Path out = Files.createDirectories(Path.of(System.getProperty("xlstm.cfamily.export")));
        CFamilyEmitter cuda = new CFamilyEmitter(CDialect.CUDA);
        StringBuilder tsv = new StringBuilder();
        int i = 0;
        for (Case c : cases(cuda)) {
            Files.writeString(out.resolve(c.kernel().entry() + ".cu"), cuda.file(c.kernel()));
            Files.write(out.resolve("case" + i + ".job"), job(c.global(), c.local(), c.args()));
            ByteArrayOutputStream ref = new ByteArrayOutputStream();
            for (var e : c.bufferOf().entrySet()) {
                if (!c.compared().contains(e.getValue())) continue;
                double[] r = c.ref().get(e.getValue());
                ByteBuffer b = ByteBuffer.allocate(12 + 4 * r.length).order(ByteOrder.LITTLE_ENDIAN);
                b.putInt(e.getKey()).putLong(r.length);
                for (double v : r) b.putFloat((float) v);
                ref.write(b.array());
            }
            Files.write(out.resolve("case" + i + ".ref"), ref.toByteArray());
            tsv.append("case").append(i).append('\t').append(c.kernel().entry()).append('\t').append(c.label()).append('\n');
            i++;
        }
        Files.writeString(out.resolve("cases.tsv"), tsv.toString());
        try (var in = getClass().getResourceAsStream("cuda_run.py")) {
            Files.copy(in, out.resolve("cuda_run.py"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Every assignment of the bool params (the default first). */
    static List<Map<String, Object>> boolAssignments(CellIR c) {
        List<Param> bools = c.params().stream().filter(Param::isBool).toList();
        List<Map<String, Object>> out = new ArrayList<>();
        for (int mask = 0; mask < 1 << bools.size(); mask++) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (int b = 0; b < bools.size(); b++) m.put(bools.get(b).name(), bools.get(b).defaultBool() != (((mask >> b) & 1) != 0));
            out.add(m);
        }
        return out;
    }

    static Case prepare(String label, ScheduledCell sc, CFamilyEmitter.KernelModel k, Map<String, Object> params,
                        boolean initStates, int local, int rowDim) {
        CellIR cell = sc.cell();
        Random rnd = new Random(k.entry().hashCode() * 31L + params.hashCode() + (initStates ? 1 : 2));
        ScheduleKind kind = switch (k.schedule()) {
            case "step" -> ScheduleKind.STEP;
            case "sequence" -> ScheduleKind.SEQUENCE;
            case "chunkwise" -> ScheduleKind.CHUNKWISE;
            case "parallel" -> ScheduleKind.PARALLEL;
            default -> ScheduleKind.ROWS;
        };
        int B = 2, NH = 3, S = kind == ScheduleKind.STEP ? 1 : 7, chunk = 3, rows = 5;
        Map<String, Integer> dims = new HashMap<>();
        int[] sizes = cell.dims().size() == 1 ? new int[]{cell.isCell() ? 5 : rowDim} : new int[]{8, 6};
        for (int d = 0; d < cell.dims().size(); d++) dims.put(cell.dims().get(d).name(), sizes[d % sizes.length] + (d >= 2 ? d : 0));
        Interpreter.Call call = new Interpreter.Call(dims, params);
        Map<String, Long> vars = new HashMap<>();
        vars.put("B", (long) B);
        vars.put("NH", (long) NH);
        vars.put("S", (long) S);
        vars.put("rows", (long) rows);
        vars.put("chunkSize", (long) chunk);
        vars.put("L", (long) Math.max(1, Math.min(chunk, S)));
        dims.forEach((n, v) -> vars.put(n, (long) v));

        // tensors in contract layout (double for the interpreter)
        Map<String, double[]> t = new HashMap<>();
        long lead = cell.isCell() ? (long) B * NH * S : rows;
        for (Decl d : cell.inputs()) t.put(d.name(), random(rnd, lead * Interpreter.size(d.type(), call), d.name()));
        for (Decl d : cell.weights())
            t.put(d.name(), random(rnd, (cell.isCell() ? NH : 1) * (long) Interpreter.size(d.type(), call), d.name()));
        Map<String, double[]> states0 = new HashMap<>();
        if (cell.isCell()) {
            Map<String, double[]> init = Interpreter.initialStates(cell, B, NH, call);
            for (Decl d : cell.states()) {
                double[] s = initStates ? init.get(d.name()) : random(rnd, init.get(d.name()).length, d.name());
                states0.put(d.name(), s.clone());
                t.put(d.name(), s.clone());
            }
        }
        for (Decl d : cell.outputs()) t.put(d.name(), new double[(int) (lead * Interpreter.size(d.type(), call))]);

        // device arguments in index order
        List<Object> args = new ArrayList<>();
        Map<Integer, String> bufferOf = new LinkedHashMap<>();
        for (CFamilyEmitter.ParamModel p : k.params()) {
            String n = p.name();
            if (p.intArg()) {
                if (vars.containsKey(n)) args.add((int) (long) vars.get(n));
                else args.add(Boolean.TRUE.equals(params.get(dslName(cell, n))) ? 1 : 0);
            } else if (p.floatArg()) {
                Param pp = cell.param(dslName(cell, n)).orElseThrow();
                args.add((float) (double) pp.defaultValue());
            } else if (n.equals("scratch")) {
                long floats = Formula.eval(k.scratch(), vars);
                args.add(new float[(int) floats]);
                bufferOf.put(args.size() - 1, "scratch");
            } else {
                // the tiled chunkwise form's <state>_in: the state's initial values, read apart from the state
                boolean initial = n.endsWith("_in") && !t.containsKey(dslName(cell, n));
                double[] a = initial ? states0.get(dslName(cell, n.substring(0, n.length() - 3))) : t.get(dslName(cell, n));
                float[] f = new float[a.length];
                for (int x = 0; x < a.length; x++) f[x] = (float) a[x];
                args.add(f);
                bufferOf.put(args.size() - 1, dslName(cell, n));
            }
        }
        long count = Formula.eval(k.count(), vars);
        long global = switch (k.launch()) {
            case "items" -> (count + local - 1) / local * local;
            case "group" -> local;
            case "groups" -> count * local;
            default -> throw new AssertionError(k.launch());
        };

        // reference: float64 interpreter over the float32-rounded inputs
        Map<String, double[]> ref = new HashMap<>();
        for (var e : t.entrySet()) {
            double[] v = e.getValue().clone();
            for (int x = 0; x < v.length; x++) v[x] = (float) v[x];
            ref.put(e.getKey(), v);
        }
        switch (kind) {
            case STEP -> Interpreter.step(cell, B, NH, call, ref);
            case SEQUENCE, CHUNKWISE -> Interpreter.sequence(cell, B, NH, S, call, ref);
            case PARALLEL -> {
                ref.putAll(Interpreter.initialStates(cell, B, NH, call));
                Interpreter.sequence(cell, B, NH, S, call, ref);
            }
            case ROWS -> Interpreter.kernel(cell, rows, call, ref);
        }
        List<String> compared = new ArrayList<>();
        for (Decl d : cell.outputs()) compared.add(d.name());
        if (kind != ScheduleKind.PARALLEL) for (Decl d : cell.states()) compared.add(d.name());
        return new Case(label, k, global, local, args, bufferOf, ref, compared);
    }

    /** {@code max|out-ref| <= 2e-5 + 1e-4 max|ref|} for every output (and final state). */
    static void compare(Case c, Map<String, float[]> got) {
        for (String n : c.compared()) {
            float[] g = got.get(n);
            double[] r = c.ref().get(n);
            assertEquals(r.length, g.length, n + " length");
            double maxRef = 0, maxErr = 0;
            for (int x = 0; x < r.length; x++) {
                maxRef = Math.max(maxRef, Math.abs(r[x]));
                maxErr = Math.max(maxErr, Math.abs(g[x] - r[x]));
            }
            assertTrue(Double.isFinite(maxErr) && maxErr <= 2e-5 + 1e-4 * maxRef,
                    n + ": max|out-ref| = " + maxErr + " > 2e-5 + 1e-4 * " + maxRef);
        }
    }

    private static String dslName(CellIR cell, String cName) {
        if (cName.endsWith("_u")) {
            String raw = cName.substring(0, cName.length() - 2);
            if (cell.decl(raw).isPresent() || cell.param(raw).isPresent()) return raw;
        }
        return cName;
    }

    private static double[] random(Random rnd, long n, String name) {
        double[] a = new double[Math.toIntExact(n)];
        for (int x = 0; x < a.length; x++) a[x] = rnd.nextGaussian() * (name.startsWith("R") || name.startsWith("W") ? 0.3 : 1.0);
        return a;
    }

    /** The job file of clrun.c: geometry, then each argument; buffers get a guard tail of SENTINELs. */
    static byte[] job(long global, long local, List<Object> args) throws IOException {
        ByteArrayOutputStream job = new ByteArrayOutputStream();
        ByteBuffer bb = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN);
        bb.putLong(global).putLong(local).putInt(args.size());
        job.write(bb.array());
        for (Object a : args) {
            switch (a) {
                case Integer i -> job.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(0).putInt(i).array());
                case Float f -> job.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(1).putFloat(f).array());
                case float[] f -> {
                    ByteBuffer b = ByteBuffer.allocate(12 + 4 * (f.length + GUARD)).order(ByteOrder.LITTLE_ENDIAN);
                    b.putInt(2).putLong(f.length + GUARD);
                    for (float v : f) b.putFloat(v);
                    for (int g = 0; g < GUARD; g++) b.putFloat(SENTINEL);
                    job.write(b.array());
                }
                default -> throw new AssertionError(a);
            }
        }
        return job.toByteArray();
    }

    /** Writes the job, runs the driver, reads the buffers back and checks their guard tails. */
    private static Map<String, float[]> launch(Path file, String entry, long global, long local, List<Object> args,
                                               Map<Integer, String> bufferOf) throws Exception {
        Path jobFile = dir.resolve(entry + ".job"), outFile = dir.resolve(entry + ".out");
        Files.write(jobFile, job(global, local, args));
        var r = Toolchains.run(dir, Map.of(), List.of(runner.toString(), file.toString(), entry, jobFile.toString(), outFile.toString()), 300);
        if (r.code() == 3) Toolchains.missing("no OpenCL platform/device (Debian: pocl-opencl-icd): " + r.output().strip());
        assertEquals(0, r.code(), "driver failed:\n" + r.output());
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(outFile)).order(ByteOrder.LITTLE_ENDIAN);
        Map<String, float[]> out = new HashMap<>();
        for (var e : bufferOf.entrySet()) {
            int n = (int) in.getLong();
            float[] f = new float[n - GUARD];
            for (int x = 0; x < f.length; x++) f[x] = in.getFloat();
            for (int g = 0; g < GUARD; g++)
                if (in.getFloat() != SENTINEL) throw new AssertionError("write past the end of " + e.getValue());
            out.put(e.getValue(), f);
        }
        return out;
    }
}
