package xlstm.generated;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import xlstm.backends.cpu.KernelMode;
import xlstm.codegen.autodiff.Adjoint;
import xlstm.codegen.autodiff.AdjointCell;
import xlstm.codegen.autodiff.ReferenceBackward;
import xlstm.codegen.interp.Interpreter;
import xlstm.codegen.java.JavaVectorEmitter;
import xlstm.dsl.ir.CellIR;
import xlstm.dsl.ir.Decl;
import xlstm.dsl.ir.Param;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.Method;
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
 * chunks and a ragged one; S = 3 is a single short chunk.
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
            Class<?> cls = Class.forName("xlstm.generated." + JavaVectorEmitter.gradClassName(cell));
            List<JavaVectorEmitter.Arg> sig = JavaVectorEmitter.gradSignature(cell);
            Method seq = null;
            for (Method m : cls.getMethods()) if (m.getName().equals("sequence") && m.getParameterCount() == sig.size()) seq = m;
            List<Object> args = new ArrayList<>();
            for (JavaVectorEmitter.Arg p : sig) {
                switch (p.type()) {
                    case "int" -> args.add(ints.get(p.name()));
                    case "MemorySegment" -> args.add(segs.get(p.name()));
                    default -> {
                        Param param = cell.param(p.name()).orElseThrow();
                        args.add(param.isBool() ? (Object) param.defaultBool() : (Object) param.defaultValue().floatValue());
                    }
                }
            }
            boolean was = KernelMode.scalar();
            KernelMode.forceScalar(scalar);
            try {
                seq.invoke(null, args.toArray());
            } finally {
                KernelMode.forceScalar(was);
            }
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
