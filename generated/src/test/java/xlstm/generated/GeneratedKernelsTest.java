package xlstm.generated;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import xlstm.codegen.interp.Interpreter;
import xlstm.codegen.schedule.ScheduleKind;
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

/** Every pointwise kernel of blocks/pointwise.xl, vector and scalar, against the float64 interpreter. */
class GeneratedKernelsTest {
    static final List<String> KERNELS = List.of("softcap_rows", "silu_rows", "sigmoid_gate", "mlstm_skip_gate", "ffn_swiglu",
            "ffn_gelu", "ffn_relu", "ffn_relu2", "ffn_sigmoid", "ffn_selu");

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String k : KERNELS)
            for (int[] s : new int[][]{{1, 1}, {3, 7}, {5, 37}, {2, 130}, {700, 3}})
                for (boolean scalar : new boolean[]{false, true}) out.add(Arguments.of(k, s[0], s[1], scalar));
        return out.stream();
    }

    @ParameterizedTest(name = "{0} rows={1} N={2} scalar={3}")
    @MethodSource("cases")
    void kernel(String name, int rows, int N, boolean scalar) {
        CellIR k = Harness.cell(name);
        Interpreter.Call call = new Interpreter.Call(Map.of("N", N), Map.of());
        Random r = new Random(rows * 1000L + N);
        Map<String, double[]> t = new HashMap<>();
        for (Decl d : k.inputs()) t.put(d.name(), Harness.gauss(r, rows * Interpreter.size(d.type(), call), 4.0, 0));
        for (Decl d : k.weights()) t.put(d.name(), Harness.gauss(r, Interpreter.size(d.type(), call), 1.0, 0));
        for (Decl d : k.outputs()) t.put(d.name(), new double[rows * Interpreter.size(d.type(), call)]);
        Map<String, double[]> ref = Harness.copy(t);
        Interpreter.kernel(k, rows, call, ref);
        try (Arena arena = Arena.ofShared()) {
            Map<String, MemorySegment> segs = new HashMap<>();
            t.forEach((n, v) -> segs.put(n, Harness.seg(arena, v)));
            Harness.invoke(k, ScheduleKind.ROWS, Map.of("rows", rows, "N", N), segs, Map.of(), scalar);
            for (Decl d : k.outputs())
                // float32 elementwise math (erf of gelu by Abramowitz-Stegun 7.1.26, |err| <= 1.5e-7)
                Harness.assertClose(d.name(), Harness.read(segs.get(d.name()), ref.get(d.name()).length), ref.get(d.name()), 1e-6, 2e-6);
        }
    }
}
