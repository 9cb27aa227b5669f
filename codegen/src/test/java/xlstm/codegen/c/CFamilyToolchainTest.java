package xlstm.codegen.c;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xlstm.codegen.Compiler;
import xlstm.codegen.EmittedFile;
import xlstm.codegen.Target;
import xlstm.codegen.schedule.ScheduledCell;
import xlstm.dsl.Dsl;
import xlstm.dsl.ir.IrModule;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every emitted kernel (the project's .xl sources and {@link Probes}) through its target's real compiler:
 * CUDA with {@code nvcc -arch=sm_90 -ptx}, HIP with {@code HIP_PLATFORM=amd hipcc --offload-arch=gfx90a -c},
 * OpenCL C with {@code clBuildProgram} on the first OpenCL device (PoCL), Metal with
 * {@code clang++ -fsyntax-only -x c++ -std=c++17} against the stub header in {@code metal-stub/} (a syntax and
 * type check only: see codegen/README.md). Warnings are errors everywhere. A missing tool skips the test with
 * a message, or fails it under {@code XLSTM_REQUIRE_TOOLCHAINS=1} (CI).
 */
class CFamilyToolchainTest {
    static Path dir;
    static final Map<CDialect, List<Path>> FILES = new EnumMap<>(CDialect.class);
    /** entry -> number of kernel parameters (from the index) */
    static final Map<String, Integer> ARITY = new HashMap<>();

    @BeforeAll
    static void emit(@TempDir Path tmp) throws IOException {
        dir = tmp;
        List<IrModule> mods = new ArrayList<>();
        Path project = xlstm.codegen.SourcesAccess.projectSources();
        if (project != null) mods.addAll(Dsl.lower(Dsl.parse(Dsl.findSources(project))));
        mods.add(Dsl.compile("probes.xl", Probes.SRC));
        List<ScheduledCell> cells = Compiler.schedule(mods, null);
        for (CDialect d : CDialect.values()) {
            List<Path> files = new ArrayList<>();
            for (EmittedFile f : Compiler.emit(cells, d.target(), null)) {
                Path p = tmp.resolve(f.relativePath());
                Files.createDirectories(p.getParent());
                Files.writeString(p, f.content());
                if (!p.getFileName().toString().equals("index.tsv")) files.add(p);
            }
            FILES.put(d, files);
            for (ScheduledCell sc : cells)
                for (CFamilyEmitter.KernelModel k : new CFamilyEmitter(d).kernels(sc)) ARITY.put(k.entry(), k.params().size());
        }
        assertTrue(FILES.get(CDialect.CUDA).size() >= 12, "kernels emitted: " + FILES.get(CDialect.CUDA));
    }

    static String entry(Path p) {
        String n = p.getFileName().toString();
        return n.substring(0, n.lastIndexOf('.'));
    }

    /** Runs one command per group of files on two threads; returns the failures (file: output). */
    static List<String> compileAll(List<List<Path>> groups, java.util.function.Function<List<Path>, List<String>> cmd,
                                   Map<String, String> env, Path cwd) throws Exception {
        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
            List<Future<?>> fs = new ArrayList<>();
            for (List<Path> g : groups)
                fs.add(pool.submit(() -> {
                    var r = Toolchains.run(cwd, env, cmd.apply(g), 600);
                    if (r.code() != 0) failures.add(g.stream().map(CFamilyToolchainTest::entry).toList() + ":\n" + cap(r.output()));
                    return null;
                }));
            for (Future<?> f : fs) f.get();
        }
        return failures;
    }

    static String cap(String s) { return s.length() <= 6000 ? s : s.substring(0, 6000) + "\n... (" + (s.length() - 6000) + " more characters)"; }

    static List<List<Path>> each(List<Path> files) { return files.stream().map(List::of).toList(); }

    static List<List<Path>> chunks(List<Path> files, int n) {
        List<List<Path>> out = new ArrayList<>();
        for (int i = 0; i < files.size(); i += n) out.add(files.subList(i, Math.min(files.size(), i + n)));
        return out;
    }

    @Test
    void cudaKernelsCompileWithNvccForSm90() throws Exception {
        Path nvcc = Toolchains.nvcc();
        Path out = Files.createDirectories(dir.resolve("ptx"));
        List<String> failures = compileAll(each(FILES.get(CDialect.CUDA)), g -> List.of(nvcc.toString(), "-arch=sm_90", "-ptx",
                "-Werror", "all-warnings", g.getFirst().toString(), "-o", out.resolve(entry(g.getFirst()) + ".ptx").toString()), Map.of(), dir);
        if (!failures.isEmpty()) fail("nvcc -arch=sm_90 -ptx failed:\n" + String.join("\n", failures));
        for (Path f : FILES.get(CDialect.CUDA)) {
            String ptx = Files.readString(out.resolve(entry(f) + ".ptx"));
            assertTrue(ptx.contains(".entry " + entry(f) + "("), entry(f) + ": an unmangled .entry in the PTX");
            // every kernel waits for its predecessor before it reads or writes anything (the step kernels only
            // prefetch their state towards L2 first): launching it as a programmatic dependent launch (DeviceLarge
            // does so by default) is then safe
            assertTrue(ptx.contains("griddepcontrol.wait"), entry(f) + ": griddepcontrol.wait in the PTX");
            if (entry(f).endsWith(CFamilyEmitter.TILED) && entry(f).contains("_step")) {
                int prefetch = ptx.indexOf("prefetch.global.L2"), wait = ptx.indexOf("griddepcontrol.wait");
                assertTrue(prefetch >= 0 && prefetch < wait, entry(f) + ": the state's prefetch before the wait");
            }
            // the elementwise kernels' bf16-input twins read 4 inputs with one 8-byte load
            if (entry(f).endsWith(CFamilyEmitter.BF16_IO))
                assertTrue(ptx.contains("ld.global.v2.u32") || ptx.contains("ld.global.nc.v2.u32"), entry(f) + ": 8-byte loads");
            // the tensor-core chunkwise forms multiply with bf16 mma instructions (else they would be slow copies)
            if (entry(f).endsWith(CFamilyEmitter.TENSOR) || entry(f).endsWith(CFamilyEmitter.TENSOR_STATES)
                    || entry(f).endsWith(CFamilyEmitter.TENSOR_OUT)) {
                assertTrue(ptx.contains("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32"), entry(f) + ": bf16 mma in the PTX");
                assertTrue(ptx.contains(".maxntid " + CFamilyEmitter.TENSOR_THREADS), entry(f) + ": launch bounds of 256 threads");
                // the mLSTM cells' prologues copy their input rows with 16-byte loads (CBody.wide4; a cell that
                // computes its keys, like the projected test cell, takes the element loop), and the states pass
                // takes its transposed operands from rows by ldmatrix
                if (entry(f).startsWith("mlstm"))
                    assertTrue(ptx.contains("ld.global.nc.v4.f32") || ptx.contains("ld.global.v4.f32"), entry(f) + ": 16-byte loads of the inputs");
                if (entry(f).endsWith(CFamilyEmitter.TENSOR_STATES))
                    assertTrue(ptx.contains("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16"), entry(f) + ": ldmatrix .trans");
            }
        }
    }

    @Test
    void hipKernelsCompileForGfx90a() throws Exception {
        Path hipcc = Toolchains.hipcc();
        Path out = Files.createDirectories(dir.resolve("hip-objects"));
        List<String> failures = compileAll(chunks(FILES.get(CDialect.HIP), 6), g -> {
            List<String> cmd = new ArrayList<>(List.of(hipcc.toString(), "--offload-arch=gfx90a", "-Wall", "-Werror", "-c"));
            for (Path p : g) cmd.add(p.toString());
            return cmd;
        }, Map.of("HIP_PLATFORM", "amd"), out);
        if (!failures.isEmpty()) fail("HIP_PLATFORM=amd hipcc --offload-arch=gfx90a -c failed:\n" + String.join("\n", failures));
        for (Path f : FILES.get(CDialect.HIP)) assertTrue(Files.size(out.resolve(entry(f) + ".o")) > 0, entry(f) + ".o");
    }

    @Test
    void openclKernelsBuildWithPocl() throws Exception {
        Toolchains.requireOpenClDev();
        Path cc = Toolchains.cc();
        Path src = dir.resolve("clbuild.c"), exe = dir.resolve("clbuild");
        try (InputStream in = getClass().getResourceAsStream("clbuild.c")) {
            Files.copy(in, src);
        }
        var b = Toolchains.run(dir, Map.of(), List.of(cc.toString(), "-O1", "-o", exe.toString(), src.toString(), "-lOpenCL"), 120);
        assertEquals(0, b.code(), "building the OpenCL build driver:\n" + b.output());
        List<String> cmd = new ArrayList<>(List.of(exe.toString()));
        for (Path p : FILES.get(CDialect.OPENCL)) cmd.add(p.toString());
        var r = Toolchains.run(dir, Map.of(), cmd, 600);
        if (r.code() == 3) Toolchains.missing("no OpenCL platform/device (Debian: pocl-opencl-icd): " + r.output().strip());
        assertEquals(0, r.code(), "clBuildProgram -cl-std=CL1.2 -Werror failed:\n" + r.output());
        for (Path p : FILES.get(CDialect.OPENCL)) {
            String e = entry(p);
            assertTrue(r.output().contains("ok " + e + " " + ARITY.get(e) + "\n"),
                    e + ": built with " + ARITY.get(e) + " arguments (the index's signature):\n" + r.output());
        }
    }

    @Test
    void metalKernelsPassTheStubSyntaxCheck() throws Exception {
        Path clang = Toolchains.clangxx();
        Path stub = Files.createDirectories(dir.resolve("metal-stub"));
        try (InputStream in = getClass().getResourceAsStream("metal-stub/metal_stdlib")) {
            Files.copy(in, stub.resolve("metal_stdlib"));
        }
        List<String> failures = compileAll(chunks(FILES.get(CDialect.METAL), 8), g -> {
            List<String> cmd = new ArrayList<>(List.of(clang.toString(), "-fsyntax-only", "-x", "c++", "-std=c++17", "-Wall",
                    "-Wextra", "-Werror", "-Wno-unknown-attributes", "-Wno-unused-parameter", "-I", stub.toString()));
            for (Path p : g) cmd.add(p.toString());
            return cmd;
        }, Map.of(), dir);
        if (!failures.isEmpty()) fail("clang++ -fsyntax-only against the Metal stub failed:\n" + String.join("\n", failures));
    }
}
