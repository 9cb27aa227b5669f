package xlstm.codegen;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import xlstm.codegen.interp.Interpreter;
import xlstm.codegen.schedule.ScheduleInterpreter;
import xlstm.codegen.schedule.ScheduledCell;
import xlstm.dsl.ir.CellIR;
import xlstm.dsl.ir.Decl;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** The derived schedules (float64, from the LinearRecurrence alone) against the step interpreter. */
class ScheduleInterpreterTest {

    static Map<String, double[]> random(CellIR c, int B, int NH, int S, Interpreter.Call call, long seed, boolean states) {
        Random r = new Random(seed);
        Map<String, double[]> t = new HashMap<>();
        for (Decl d : c.inputs()) t.put(d.name(), gauss(r, B * NH * S * Interpreter.size(d.type(), call), 1.0));
        for (Decl d : c.outputs()) t.put(d.name(), new double[B * NH * S * Interpreter.size(d.type(), call)]);
        for (Decl d : c.states()) t.put(d.name(), states ? gauss(r, B * NH * Interpreter.size(d.type(), call), 0.5)
                : new double[B * NH * Interpreter.size(d.type(), call)]);
        if (states && t.containsKey("n")) for (int x = 0; x < t.get("n").length; x++) t.get("n")[x] = Math.abs(t.get("n")[x]);
        return t;
    }

    static double[] gauss(Random r, int n, double s) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = r.nextGaussian() * s;
        return a;
    }

    static Map<String, double[]> copy(Map<String, double[]> t) {
        Map<String, double[]> c = new HashMap<>();
        t.forEach((k, v) -> c.put(k, v.clone()));
        return c;
    }

    static double maxRelDiff(double[] a, double[] b) {
        double d = 0, m = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
            m = Math.max(m, Math.abs(b[i]));
        }
        return d / Math.max(m, 1e-30);
    }

    @ParameterizedTest
    @CsvSource({"mlstm,0,17,4", "mlstm,0,17,1", "mlstm,0,5,8", "mlstm,0,16,16", "mlstm,0,1,3",
            "mlstm_sig,0,13,4", "mlstm_sig,1,13,5", "mlstm_sig,1,9,9"})
    void chunkwiseEqualsRecurrent(String name, int variant, int S, int L) {
        CellIR cell = Sources.cell(name.equals("mlstm") ? Sources.MLSTM : Sources.MLSTM_SIG);
        ScheduledCell sc = Compiler.scheduleOne(cell);
        ScheduledCell.Variant v = sc.variants().get(variant);
        int B = 2, NH = 3;
        Interpreter.Call call = new Interpreter.Call(Map.of("DQK", 5, "DV", 7), Map.of("eps", 1e-6, "normalize", variant == 0));
        Map<String, double[]> t = random(cell, B, NH, S, call, 42 + S, true);
        Map<String, double[]> ref = copy(t);
        Interpreter.sequence(cell, B, NH, S, call, ref);
        ScheduleInterpreter.chunkwise(v.ir(), v.recurrence(), B, NH, S, L, call, t);
        for (String k : new String[]{"h", "C", "n", "m"}) {
            if (!ref.containsKey(k)) continue;
            assertTrue(maxRelDiff(t.get(k), ref.get(k)) < 1e-12, k + " differs: " + maxRelDiff(t.get(k), ref.get(k)));
        }
    }

    @ParameterizedTest
    @CsvSource({"mlstm,0,1", "mlstm,0,23", "mlstm_sig,0,19", "mlstm_sig,1,11"})
    void parallelEqualsRecurrentFromZeroState(String name, int variant, int S) {
        CellIR cell = Sources.cell(name.equals("mlstm") ? Sources.MLSTM : Sources.MLSTM_SIG);
        ScheduledCell.Variant v = Compiler.scheduleOne(cell).variants().get(variant);
        int B = 1, NH = 2;
        Interpreter.Call call = new Interpreter.Call(Map.of("DQK", 6, "DV", 3), Map.of("eps", 1e-6, "normalize", variant == 0));
        Map<String, double[]> t = random(cell, B, NH, S, call, 7 + S, false);
        Map<String, double[]> ref = copy(t);
        Interpreter.sequence(cell, B, NH, S, call, ref);
        ScheduleInterpreter.parallel(v.ir(), v.recurrence(), B, NH, S, call, t);
        // mLSTM: the forms differ only in the eps * e^m term (SPEC 1.4); mLSTMsig: identical
        double tol = name.equals("mlstm") ? 1e-5 : 1e-12;
        assertTrue(maxRelDiff(t.get("h"), ref.get("h")) < tol, "h differs: " + maxRelDiff(t.get("h"), ref.get("h")));
    }
}
