package xlstm.generated;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import xlstm.codegen.Compiler;
import xlstm.codegen.EmittedFile;
import xlstm.codegen.Target;
import xlstm.codegen.autodiff.Adjoint;
import xlstm.codegen.autodiff.AdjointCell;
import xlstm.codegen.autodiff.ReferenceBackward;
import xlstm.codegen.interp.Interpreter;
import xlstm.codegen.schedule.ScheduleKind;
import xlstm.dsl.Dsl;
import xlstm.dsl.ir.CellIR;
import xlstm.dsl.ir.Decl;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Cells and kernels beyond the project's own, compiled in-test (DSL -> Java -> javac -> class loader) and run
 * against the interpreter: M x products of expressions, sum over vec and mat, mat lets, comparisons, two bool
 * params, a state read after its next value is defined (no in-place update), scalar outputs and weights. The
 * derived backward of each ({@code ProbeCellGrad}, {@code RowstatKernelGrad}) against the interpreter's.
 */
class EmitterGeneralityTest {
    static final String SRC = """
            cell probe(D, E) {
              input  x: vec[D], s: scalar
              weight W: mat[E, D], u: vec[E]
              state  a: vec[D] = 0, P: mat[D, E] = 0, z: scalar = 0
              output y: vec[E], t: scalar
              param  gain = 0.5, flip: bool = false, sharp: bool = true
              step {
                a' = tanh(x * gain + a * s)
                g  = matvec(W, a' * 2 - x) + u
                P' = 0.9 * P + outer(a, g)
                z' = where(sum(g) > z && !flip, sum(P') / (D * E), z * 0.5)
                M2 = P' * P'
                y  = where(flip, -g, softcap(matvec(a', M2), 3)) + where(sharp, relu(g), silu(g))
                t  = dot(a, a') + z' + sum(M2)
              }
            }
            kernel rowstat(N) {
              input  x: vec[N], s: scalar
              weight w: vec[N]
              param  c = 0.75
              output y: vec[N], mean: scalar
              body {
                mean = sum(x) / N
                y = (x - mean) * w * s + c * selu(x) - gelu(-x) / 2 + sigmoid(x) * exp(-abs(x)) + sqrt(abs(x)) * rsqrt(1 + x * x) + log(1 + x * x) + max(x, mean) - min(x, 0.25)
              }
            }
            """;

    static Class<?> probe, rowstat, probeGrad, rowstatGrad;
    static CellIR probeIr, rowstatIr;

    @BeforeAll
    static void compile(@TempDir Path dir) throws Exception {
        List<EmittedFile> files = Compiler.compile("probe.xl", SRC, Target.JAVA, null);
        List<String> args = new ArrayList<>(List.of("--add-modules", "jdk.incubator.vector", "-Xlint:-incubating", "-proc:none",
                "-d", dir.resolve("classes").toString(), "-cp", System.getProperty("java.class.path")));
        for (EmittedFile f : files) {
            Path p = dir.resolve("src").resolve(f.relativePath());
            Files.createDirectories(p.getParent());
            Files.writeString(p, f.content());
            args.add(p.toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = javac.run(null, null, err, args.toArray(String[]::new));
        assertEquals(0, rc, err.toString());
        URLClassLoader cl = new URLClassLoader(new URL[]{dir.resolve("classes").toUri().toURL()}, EmitterGeneralityTest.class.getClassLoader());
        probe = cl.loadClass("xlstm.generated.ProbeCell");
        rowstat = cl.loadClass("xlstm.generated.RowstatKernel");
        probeGrad = cl.loadClass("xlstm.generated.ProbeCellGrad");
        rowstatGrad = cl.loadClass("xlstm.generated.RowstatKernelGrad");
        var units = Dsl.compile("probe.xl", SRC).units();
        probeIr = units.get(0);
        rowstatIr = units.get(1);
    }

    @ParameterizedTest(name = "probe S={0} D={1} E={2} flip={3} sharp={4} scalar={5}")
    @CsvSource({"1,5,7,false,true,false", "9,5,7,false,true,true", "9,17,3,true,false,false", "9,17,3,true,false,true",
            "4,1,33,false,false,false", "4,33,1,true,true,true"})
    void probeCell(int S, int D, int E, boolean flip, boolean sharp, boolean scalar) {
        int B = 2, NH = 3;
        Map<String, Object> params = Map.of("gain", 0.7, "flip", flip, "sharp", sharp);
        Interpreter.Call call = new Interpreter.Call(Map.of("D", D, "E", E), params);
        Map<String, double[]> t = Harness.randomCell(probeIr, B, NH, S, call, 99 + S + D, true);
        Map<String, double[]> ref = Harness.copy(t);
        Interpreter.sequence(probeIr, B, NH, S, call, ref);
        try (Arena a = Arena.ofShared()) {
            Map<String, MemorySegment> segs = new HashMap<>();
            t.forEach((n, v) -> segs.put(n, Harness.seg(a, v)));
            Harness.invoke(probe, probeIr, ScheduleKind.SEQUENCE, Map.of("B", B, "NH", NH, "S", S, "D", D, "E", E), segs, params, scalar);
            for (String n : List.of("y", "t", "a", "P", "z"))
                Harness.assertClose(n, Harness.read(segs.get(n), ref.get(n).length), ref.get(n), 2e-6, 2e-5);
        }
    }

    @ParameterizedTest(name = "probe grad S={0} D={1} E={2} flip={3} sharp={4} scalar={5}")
    @CsvSource({"1,5,7,false,true,false", "19,5,7,false,true,true", "19,17,3,true,false,false", "4,33,1,true,true,true"})
    void probeCellGrad(int S, int D, int E, boolean flip, boolean sharp, boolean scalar) {
        int B = 2, NH = 3;
        Map<String, Object> params = Map.of("gain", 0.7, "flip", flip, "sharp", sharp);
        Interpreter.Call call = new Interpreter.Call(Map.of("D", D, "E", E), params);
        Map<String, double[]> t = Harness.randomCell(probeIr, B, NH, S, call, 7 + S + D, true);
        Random r = new Random(S + D + E);
        for (Decl d : probeIr.outputs()) t.put(AdjointCell.d(d.name()), Harness.gauss(r, t.remove(d.name()).length, 1, 0));
        for (Decl d : probeIr.states()) t.put(AdjointCell.d(d.name()), Harness.gauss(r, t.get(d.name()).length, 1, 0));
        for (Decl d : probeIr.inputs()) t.put(AdjointCell.d(d.name()), new double[t.get(d.name()).length]);
        for (Decl d : probeIr.weights()) t.put(AdjointCell.d(d.name()), Harness.gauss(r, t.get(d.name()).length, 1, 0));
        Map<String, double[]> ref = Harness.copy(t);
        ReferenceBackward.sequence(Adjoint.derive(probeIr), B, NH, S, call, ref);
        try (Arena a = Arena.ofShared()) {
            Map<String, MemorySegment> segs = new HashMap<>();
            t.forEach((n, v) -> segs.put(n, Harness.seg(a, v)));
            Harness.invokeGrad(probeGrad, probeIr, Map.of("B", B, "NH", NH, "S", S, "D", D, "E", E), segs, params, scalar);
            for (String n : List.of("dx", "ds", "dW", "du", "da", "dP", "dz"))
                Harness.assertClose(n, Harness.read(segs.get(n), ref.get(n).length), ref.get(n), 2e-6, 2e-5);
        }
    }

    @ParameterizedTest(name = "rowstat grad rows={0} N={1} scalar={2}")
    @CsvSource({"1,1,false", "3,7,false", "3,7,true", "5,70,false", "5,70,true"})
    void rowstatKernelGrad(int rows, int N, boolean scalar) {
        Interpreter.Call call = new Interpreter.Call(Map.of("N", N), Map.of());
        Random r = new Random(rows * N);
        Map<String, double[]> t = new HashMap<>();
        for (Decl d : rowstatIr.inputs()) t.put(d.name(), Harness.gauss(r, rows * Interpreter.size(d.type(), call), 2, 0));
        for (Decl d : rowstatIr.weights()) t.put(d.name(), Harness.gauss(r, Interpreter.size(d.type(), call), 1, 0));
        for (Decl d : rowstatIr.outputs()) t.put(AdjointCell.d(d.name()), Harness.gauss(r, rows * Interpreter.size(d.type(), call), 1, 0));
        for (Decl d : rowstatIr.inputs()) t.put(AdjointCell.d(d.name()), new double[t.get(d.name()).length]);
        for (Decl d : rowstatIr.weights()) t.put(AdjointCell.d(d.name()), Harness.gauss(r, t.get(d.name()).length, 1, 0));
        Map<String, double[]> ref = Harness.copy(t);
        ReferenceBackward.kernel(Adjoint.derive(rowstatIr), rows, call, ref);
        try (Arena a = Arena.ofShared()) {
            Map<String, MemorySegment> segs = new HashMap<>();
            t.forEach((n, v) -> segs.put(n, Harness.seg(a, v)));
            Harness.invokeGrad(rowstatGrad, rowstatIr, Map.of("rows", rows, "N", N), segs, Map.of(), scalar);
            for (String n : List.of("dx", "ds", "dw"))
                Harness.assertClose(n, Harness.read(segs.get(n), ref.get(n).length), ref.get(n), 2e-6, 2e-5);
        }
    }

    @ParameterizedTest(name = "rowstat rows={0} N={1} scalar={2}")
    @CsvSource({"1,1,false", "3,7,false", "3,7,true", "5,70,false", "5,70,true"})
    void rowstatKernel(int rows, int N, boolean scalar) {
        Interpreter.Call call = new Interpreter.Call(Map.of("N", N), Map.of());
        Random r = new Random(rows + N);
        Map<String, double[]> t = new HashMap<>();
        for (Decl d : rowstatIr.inputs()) t.put(d.name(), Harness.gauss(r, rows * Interpreter.size(d.type(), call), 2, 0));
        for (Decl d : rowstatIr.weights()) t.put(d.name(), Harness.gauss(r, Interpreter.size(d.type(), call), 1, 0));
        for (Decl d : rowstatIr.outputs()) t.put(d.name(), new double[rows * Interpreter.size(d.type(), call)]);
        Map<String, double[]> ref = Harness.copy(t);
        Interpreter.kernel(rowstatIr, rows, call, ref);
        try (Arena a = Arena.ofShared()) {
            Map<String, MemorySegment> segs = new HashMap<>();
            t.forEach((n, v) -> segs.put(n, Harness.seg(a, v)));
            Harness.invoke(rowstat, rowstatIr, ScheduleKind.ROWS, Map.of("rows", rows, "N", N), segs, Map.of(), scalar);
            for (String n : List.of("y", "mean"))
                Harness.assertClose(n, Harness.read(segs.get(n), ref.get(n).length), ref.get(n), 2e-6, 2e-6);
        }
    }
}
