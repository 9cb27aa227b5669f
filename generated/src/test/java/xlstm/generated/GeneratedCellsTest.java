package xlstm.generated;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import xlstm.codegen.interp.Interpreter;
import xlstm.codegen.java.JavaVectorEmitter;
import xlstm.codegen.schedule.ScheduleInterpreter;
import xlstm.codegen.schedule.ScheduleKind;
import xlstm.codegen.schedule.ScheduledCell;
import xlstm.dsl.ir.CellIR;
import xlstm.dsl.ir.Decl;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The generated cell classes (every schedule, Vector API and scalar twin) against the float64 interpreter, on odd
 * shapes: S = 1, S = 17, S not a multiple of the chunk size, head dims not multiples of the vector width, states
 * carried in and out.
 */
class GeneratedCellsTest {
    // float32 kernels vs a float64 reference over up to 37 steps
    static final double ATOL = 2e-6, RTOL = 2e-5;

    record Shape(int B, int NH, int S, int DK, int DV) {
        @Override public String toString() { return "B" + B + "xNH" + NH + "xS" + S + "xDK" + DK + "xDV" + DV; }
    }

    static final List<Shape> SHAPES = List.of(new Shape(1, 1, 1, 5, 7), new Shape(2, 3, 17, 5, 7),
            new Shape(1, 2, 37, 16, 24), new Shape(2, 1, 21, 33, 65), new Shape(1, 1, 6, 1, 1), new Shape(1, 2, 150, 9, 20));

    static Stream<Arguments> mlstmCases() {
        List<Arguments> out = new ArrayList<>();
        for (String cell : List.of("mlstm", "mlstm_sig+", "mlstm_sig-"))
            for (Shape s : SHAPES)
                for (boolean scalar : new boolean[]{false, true}) {
                    out.add(Arguments.of(cell, s, ScheduleKind.SEQUENCE, 0, scalar));
                    out.add(Arguments.of(cell, s, ScheduleKind.STEP, 0, scalar));
                    out.add(Arguments.of(cell, s, ScheduleKind.PARALLEL, 0, scalar));
                    for (int L : new int[]{1, 4, 16, s.S() + 3}) out.add(Arguments.of(cell, s, ScheduleKind.CHUNKWISE, L, scalar));
                }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} {2} L={3} scalar={4}")
    @MethodSource("mlstmCases")
    void mlstmFamily(String spec, Shape sh, ScheduleKind kind, int chunk, boolean scalar) {
        String name = spec.replaceAll("[+-]$", "");
        Map<String, Object> params = new HashMap<>();
        params.put("eps", 1e-6);
        if (spec.endsWith("+")) params.put("normalize", true);
        if (spec.endsWith("-")) params.put("normalize", false);
        run(name, params, sh.B(), sh.NH(), sh.S(), Map.of("DQK", sh.DK(), "DV", sh.DV()), kind, chunk, scalar, kind != ScheduleKind.PARALLEL);
    }

    static Stream<Arguments> slstmCases() {
        List<Arguments> out = new ArrayList<>();
        for (int[] s : new int[][]{{2, 3, 1, 5}, {1, 2, 17, 7}, {2, 2, 9, 33}, {1, 1, 4, 1}})
            for (boolean scalar : new boolean[]{false, true})
                for (boolean states : new boolean[]{false, true})
                    for (ScheduleKind k : List.of(ScheduleKind.SEQUENCE, ScheduleKind.STEP))
                        out.add(Arguments.of(s[0], s[1], s[2], s[3], k, scalar, states));
        return out.stream();
    }

    @ParameterizedTest(name = "slstm B{0} NH{1} S{2} DH{3} {4} scalar={5} states={6}")
    @MethodSource("slstmCases")
    void slstm(int B, int NH, int S, int DH, ScheduleKind kind, boolean scalar, boolean states) {
        run("slstm", Map.of(), B, NH, S, Map.of("DH", DH), kind, 0, scalar, states);
    }

    /**
     * The chunkwise schedule keeps the start state of every chunk of a window; here one chunk's states for all (b, h)
     * already exceed a window ({@link JavaVectorEmitter#CHUNK_STATE_FLOATS}), so each of the three chunks is a window
     * of its own and the state must be carried from window to window. (The vector kernel only: both twins come from
     * the same emitted schedule, and the scalar one at this size is slow.)
     */
    @org.junit.jupiter.api.Test
    void chunkwiseOverSeveralWindows() {
        int b = 2, nh = 2, d = (int) Math.ceil(Math.sqrt(JavaVectorEmitter.CHUNK_STATE_FLOATS / 4.0)) + 1;
        org.junit.jupiter.api.Assertions.assertTrue((long) b * nh * ((long) d * d + d + 1) > JavaVectorEmitter.CHUNK_STATE_FLOATS);
        run("mlstm", Map.of("eps", 1e-6), b, nh, 9, Map.of("DQK", d, "DV", d), ScheduleKind.CHUNKWISE, 4, false, true);
    }

    @ParameterizedTest(name = "confined segments, {0}")
    @org.junit.jupiter.params.provider.EnumSource(value = ScheduleKind.class, names = {"SEQUENCE", "CHUNKWISE", "PARALLEL"})
    void confinedSegmentsRunOnTheCallingThread(ScheduleKind kind) {
        confined = true;
        try {
            run("mlstm", Map.of("eps", 1e-6), 2, 3, 9, Map.of("DQK", 5, "DV", 7), kind, 4, false, kind != ScheduleKind.PARALLEL);
        } finally {
            confined = false;
        }
    }

    private static boolean confined;

    static void run(String name, Map<String, Object> params, int B, int NH, int S, Map<String, Integer> dims,
                    ScheduleKind kind, int chunk, boolean scalar, boolean randomStates) {
        CellIR cell = Harness.cell(name);
        Interpreter.Call call = new Interpreter.Call(dims, params);
        Map<String, double[]> t = Harness.randomCell(cell, B, NH, S, call, 1234L + 31L * S + B + dims.hashCode(), randomStates);
        Map<String, double[]> ref = Harness.copy(t);
        if (kind == ScheduleKind.PARALLEL) {
            ScheduledCell sc = Harness.scheduled(name);
            ScheduledCell.Variant v = sc.variants().stream()
                    .filter(x -> x.spec().bools().entrySet().stream().allMatch(e -> e.getValue().equals(params.get(e.getKey()))))
                    .findFirst().orElseThrow();
            ScheduleInterpreter.parallel(v.ir(), v.recurrence(), B, NH, S, call, ref);
        } else {
            Interpreter.sequence(cell, B, NH, S, call, ref);
        }
        Map<String, Integer> ints = new HashMap<>(dims);
        ints.put("B", B);
        ints.put("NH", NH);
        ints.put("S", S);
        ints.put("chunkSize", chunk);
        try (Arena arena = confined ? Arena.ofConfined() : Arena.ofShared()) {
            Map<String, MemorySegment> segs = new HashMap<>();
            for (Decl d : cell.states()) segs.put(d.name(), Harness.seg(arena, t.get(d.name())));
            if (kind == ScheduleKind.STEP) {
                for (Decl d : cell.weights()) segs.put(d.name(), Harness.seg(arena, t.get(d.name())));
                Map<String, double[]> outs = new HashMap<>();
                for (Decl d : cell.outputs()) outs.put(d.name(), new double[t.get(d.name()).length]);
                for (int s = 0; s < S; s++) {
                    for (Decl d : cell.inputs()) segs.put(d.name(), Harness.seg(arena, slice(t.get(d.name()), B * NH, S, Interpreter.size(d.type(), call), s)));
                    for (Decl d : cell.outputs()) segs.put(d.name(), arena.allocate(4L * B * NH * Interpreter.size(d.type(), call), 64));
                    Harness.invoke(cell, kind, ints, segs, params, scalar);
                    for (Decl d : cell.outputs()) {
                        int n = Interpreter.size(d.type(), call);
                        unslice(Harness.read(segs.get(d.name()), B * NH * n), outs.get(d.name()), B * NH, S, n, s);
                    }
                }
                for (Decl d : cell.outputs()) Harness.assertClose(d.name(), outs.get(d.name()), ref.get(d.name()), ATOL, RTOL);
            } else {
                for (Decl d : cell.inputs()) segs.put(d.name(), Harness.seg(arena, t.get(d.name())));
                for (Decl d : cell.weights()) segs.put(d.name(), Harness.seg(arena, t.get(d.name())));
                for (Decl d : cell.outputs()) segs.put(d.name(), Harness.seg(arena, new double[t.get(d.name()).length]));
                Harness.invoke(cell, kind, ints, segs, params, scalar);
                for (Decl d : cell.outputs())
                    Harness.assertClose(d.name(), Harness.read(segs.get(d.name()), ref.get(d.name()).length), ref.get(d.name()), ATOL, RTOL);
            }
            if (kind != ScheduleKind.PARALLEL)
                for (Decl d : cell.states())
                    Harness.assertClose("state " + d.name(), Harness.read(segs.get(d.name()), ref.get(d.name()).length), ref.get(d.name()), ATOL, RTOL);
        }
    }

    /** Time step s of a (BNH, S, n) tensor as (BNH, n). */
    static double[] slice(double[] full, int bnh, int S, int n, int s) {
        double[] r = new double[bnh * n];
        for (int b = 0; b < bnh; b++) System.arraycopy(full, (b * S + s) * n, r, b * n, n);
        return r;
    }

    static void unslice(double[] part, double[] full, int bnh, int S, int n, int s) {
        for (int b = 0; b < bnh; b++) System.arraycopy(part, b * n, full, (b * S + s) * n, n);
    }
}
