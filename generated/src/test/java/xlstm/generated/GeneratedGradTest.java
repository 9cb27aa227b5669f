package xlstm.generated;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import xlstm.codegen.autodiff.Adjoint;
import xlstm.codegen.autodiff.AdjointCell;
import xlstm.codegen.autodiff.ReferenceBackward;
import xlstm.codegen.interp.Interpreter;
import xlstm.codegen.java.JavaVectorEmitter;
import xlstm.dsl.ir.CellIR;
import xlstm.dsl.ir.Decl;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Every generated {@code <Cell>Grad.sequence} (vector and scalar twins) against the float64 backward of the
 * interpreter ({@link ReferenceBackward}) on random inputs, weights, initial states, output and final-state
 * cotangents, and non-zero weight cotangents on entry (they must be accumulated). S = 37 spans two full checkpoint
 * chunks and a ragged one; S = 3 is a single short chunk. Likewise every {@code <Kernel>Grad.apply}.
 */
class GeneratedGradTest {
    static final double ATOL = 2e-6, RTOL = 2e-5;

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String cell : List.of("mlstm", "mlstm_sig", "slstm", "lstm"))
            for (int S : new int[]{37, 3})
                for (boolean states : new boolean[]{true, false})
                    for (boolean scalar : new boolean[]{false, true}) out.add(Arguments.of(cell, S, states, scalar));
        return out.stream();
    }

    static Stream<Arguments> kernelCases() {
        List<Arguments> out = new ArrayList<>();
        for (String k : List.of("softcap_rows", "silu_rows", "sigmoid_gate", "mlstm_skip_gate", "ffn_swiglu", "ffn_gelu",
                "ffn_relu", "ffn_relu2", "ffn_sigmoid", "ffn_selu"))
            for (int N : new int[]{13, 64})
                for (boolean scalar : new boolean[]{false, true}) out.add(Arguments.of(k, N, scalar));
        return out.stream();
    }

    /** {@code <Kernel>Grad.apply} against the interpreter's backward: rows 7, N with and without a vector tail. */
    @ParameterizedTest(name = "{0} N={1} scalar={2}")
    @MethodSource("kernelCases")
    void kernelAgainstTheInterpreter(String name, int N, boolean scalar) throws Exception {
        CellIR k = Harness.scheduled(name).cell();
        AdjointCell adj = Adjoint.derive(k);
        int rows = 7;
        Map<String, Integer> ints = Map.of("rows", rows, "N", N);
        Interpreter.Call call = new Interpreter.Call(ints, Map.of());
        Random r = new Random(N + name.length());
        Map<String, double[]> t = new HashMap<>();
        for (Decl d : k.inputs()) t.put(d.name(), Harness.gauss(r, rows * N, 2, 0));
        for (Decl d : k.weights()) t.put(d.name(), Harness.gauss(r, N, 1, 0));
        for (Decl d : k.outputs()) t.put(AdjointCell.d(d.name()), Harness.gauss(r, rows * N, 1, 0));
        for (Decl d : k.inputs()) t.put(AdjointCell.d(d.name()), new double[rows * N]);
        for (Decl d : k.weights()) t.put(AdjointCell.d(d.name()), Harness.gauss(r, N, 1, 0));
        Map<String, double[]> ref = Harness.copy(t);
        ReferenceBackward.kernel(adj, rows, call, ref);
        try (Arena a = Arena.ofShared()) {
            Map<String, MemorySegment> segs = new HashMap<>();
            t.forEach((n, v) -> segs.put(n, Harness.seg(a, v)));
            Harness.invokeGrad(Class.forName("xlstm.generated." + JavaVectorEmitter.gradClassName(k)), k, ints, segs, Map.of(), scalar);
            List<String> checked = new ArrayList<>();
            for (Decl d : k.inputs()) checked.add(AdjointCell.d(d.name()));
            for (Decl d : k.weights()) checked.add(AdjointCell.d(d.name()));
            for (String n : checked)
                Harness.assertClose(name + " " + n, Harness.read(segs.get(n), ref.get(n).length), ref.get(n), ATOL, RTOL);
        }
    }

    /** mlstm_sig without the normaliser (its other bool variant). */
    @ParameterizedTest(name = "mlstm_sig normalize=false scalar={0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void unnormalisedSigAgainstTheInterpreter(boolean scalar) throws Exception {
        CellIR cell = Harness.scheduled("mlstm_sig").cell();
        int B = 2, NH = 2, S = 21;
        Map<String, Integer> ints = Map.of("B", B, "NH", NH, "S", S, "DQK", 5, "DV", 4);
        Map<String, Object> params = Map.of("normalize", false, "eps", 1e-6);
        Interpreter.Call call = new Interpreter.Call(ints, params);
        Map<String, double[]> t = Harness.randomCell(cell, B, NH, S, call, 3, true);
        Random r = new Random(4);
        for (Decl d : cell.outputs()) t.put(AdjointCell.d(d.name()), Harness.gauss(r, t.get(d.name()).length, 1, 0));
        for (Decl d : cell.states()) t.put(AdjointCell.d(d.name()), Harness.gauss(r, t.get(d.name()).length, 1, 0));
        for (Decl d : cell.inputs()) t.put(AdjointCell.d(d.name()), new double[t.get(d.name()).length]);
        Map<String, double[]> ref = Harness.copy(t);
        ReferenceBackward.sequence(Adjoint.derive(cell), B, NH, S, call, ref);
        try (Arena a = Arena.ofShared()) {
            Map<String, MemorySegment> segs = new HashMap<>();
            t.forEach((n, v) -> segs.put(n, Harness.seg(a, v)));
            Harness.invokeGrad(Class.forName("xlstm.generated.MlstmSigCellGrad"), cell, ints, segs, params, scalar);
            for (String n : List.of("dq", "dk", "dv", "di", "df", "dC", "dn"))
                Harness.assertClose(n, Harness.read(segs.get(n), ref.get(n).length), ref.get(n), ATOL, RTOL);
        }
    }

    @ParameterizedTest(name = "{0} S={1} states={2} scalar={3}")
    @MethodSource("cases")
    void againstTheInterpreter(String name, int S, boolean states, boolean scalar) throws Exception {
        CellIR cell = Harness.scheduled(name).cell();
        AdjointCell adj = Adjoint.derive(cell);
        int B = 2, NH = 3;
        Map<String, Integer> ints = new HashMap<>(Map.of("B", B, "NH", NH, "S", S));
        for (var d : cell.dims()) ints.put(d.name(), d.name().equals("DV") ? 5 : 4 + (d.name().length() % 2));
        Interpreter.Call call = new Interpreter.Call(ints, Map.of());
        Map<String, double[]> t = Harness.randomCell(cell, B, NH, S, call, 11 + S, states);
        Random r = new Random(S * 31L + (states ? 1 : 0));
        for (Decl d : cell.outputs()) t.put(AdjointCell.d(d.name()), Harness.gauss(r, t.get(d.name()).length, 1, 0));
        for (Decl d : cell.states()) t.put(AdjointCell.d(d.name()), Harness.gauss(r, t.get(d.name()).length, 1, 0));
        for (Decl d : cell.inputs()) t.put(AdjointCell.d(d.name()), new double[t.get(d.name()).length]);
        for (Decl d : cell.weights()) t.put(AdjointCell.d(d.name()), Harness.gauss(r, t.get(d.name()).length, 1, 0));

        Map<String, double[]> ref = Harness.copy(t);
        ReferenceBackward.sequence(adj, B, NH, S, call, ref);

        try (Arena a = Arena.ofShared()) {
            Map<String, MemorySegment> segs = new HashMap<>();
            t.forEach((k, v) -> segs.put(k, Harness.seg(a, v)));
            Harness.invokeGrad(Class.forName("xlstm.generated." + JavaVectorEmitter.gradClassName(cell)), cell, ints, segs, Map.of(), scalar);
            List<String> checked = new ArrayList<>();
            for (Decl d : cell.inputs()) checked.add(AdjointCell.d(d.name()));
            for (Decl d : cell.states()) checked.add(AdjointCell.d(d.name()));
            for (Decl d : cell.weights()) checked.add(AdjointCell.d(d.name()));
            for (String n : checked)
                Harness.assertClose(name + " " + n, Harness.read(segs.get(n), ref.get(n).length), ref.get(n), ATOL, RTOL);
            for (Decl d : cell.states())
                Harness.assertClose("initial " + d.name() + " untouched", Harness.read(segs.get(d.name()), t.get(d.name()).length),
                        t.get(d.name()), 0, 0);
        }
    }
}
