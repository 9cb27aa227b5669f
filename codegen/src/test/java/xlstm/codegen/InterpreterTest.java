package xlstm.codegen;

import org.junit.jupiter.api.Test;
import xlstm.codegen.interp.Interpreter;
import xlstm.codegen.interp.MathRef;
import xlstm.dsl.ir.CellIR;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class InterpreterTest {
    static Interpreter.Call call(Object... kv) {
        Map<String, Integer> dims = new HashMap<>();
        Map<String, Object> params = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            if (kv[i + 1] instanceof Integer n) dims.put((String) kv[i], n);
            else params.put((String) kv[i], kv[i + 1]);
        }
        return new Interpreter.Call(dims, params);
    }

    @Test
    void mlstmStepByHand() {
        // DQK = 1, DV = 2: everything is a short scalar computation
        CellIR c = Sources.cell(Sources.MLSTM);
        Map<String, double[]> t = new HashMap<>();
        double q = 0.5, k = 2, v0 = 1, v1 = -3, i = 0.3, f = 1.2;
        t.put("q", new double[]{q});
        t.put("k", new double[]{k});
        t.put("v", new double[]{v0, v1});
        t.put("i", new double[]{i});
        t.put("f", new double[]{f});
        t.put("C", new double[]{0.1, 0.2});
        t.put("n", new double[]{0.4});
        t.put("m", new double[]{0.25});
        t.put("h", new double[2]);
        Interpreter.step(c, 1, 1, call("DQK", 1, "DV", 2, "eps", 1e-6), t);
        double lf = MathRef.logsigmoid(f), m1 = Math.max(lf + 0.25, i);
        double fg = Math.exp(lf + 0.25 - m1), ig = Math.exp(i - m1);
        double c0 = fg * 0.1 + ig * k * v0, c1 = fg * 0.2 + ig * k * v1, n1 = fg * 0.4 + ig * k;
        double den = Math.max(Math.abs(q * n1), Math.exp(-m1)) + 1e-6;
        assertEquals(m1, t.get("m")[0], 1e-15);
        assertEquals(c0, t.get("C")[0], 1e-15);
        assertEquals(c1, t.get("C")[1], 1e-15);
        assertEquals(n1, t.get("n")[0], 1e-15);
        assertEquals(q * c0 / den, t.get("h")[0], 1e-14);
        assertEquals(q * c1 / den, t.get("h")[1], 1e-14);
    }

    @Test
    void slstmAllZeroIsBatchGlobal() {
        CellIR c = Sources.cell(Sources.SLSTM);
        int B = 2, DH = 1;
        Map<String, double[]> t = new HashMap<>();
        for (String s : new String[]{"xi", "xf", "xz", "xo"}) t.put(s, new double[]{0.5, 0.5});
        for (String s : new String[]{"Ri", "Rf", "Rz", "Ro", "bi", "bf", "bz", "bo"}) t.put(s, new double[]{0});
        t.put("y", new double[2]);
        t.put("c", new double[2]);
        t.put("n", new double[]{0, 1}); // batch element 1 is not fresh: all_zero(n) is false for both
        t.put("m", new double[]{2, 0});
        t.put("h", new double[2]);
        Interpreter.step(c, B, 1, call("DH", DH), t);
        double iraw = 0.5, lfm = 2 + MathRef.logsigmoid(0.5);
        double m = Math.max(iraw, lfm); // not iraw alone, although n of batch 0 is zero
        assertTrue(m > iraw);
        assertEquals(m, t.get("m")[0], 1e-15);
        double ig = Math.min(Math.exp(iraw - m), 1), fg = Math.min(Math.exp(lfm - m), 1);
        assertEquals(fg * 0 + ig, t.get("n")[0], 1e-15);
        // and from an all-zero state the first step takes m = iraw
        t.put("n", new double[]{0, 0});
        t.put("m", new double[]{0, 0});
        t.put("c", new double[2]);
        t.put("y", new double[2]);
        Interpreter.step(c, B, 1, call("DH", DH), t);
        assertEquals(iraw, t.get("m")[0], 1e-15);
        assertEquals(1.0, t.get("n")[0], 1e-15);
        assertEquals(MathRef.sigmoid(0.5) * Math.tanh(0.5), t.get("h")[0], 1e-15);
    }

    @Test
    void kernelsAndMath() {
        CellIR c = Sources.cell("""
                kernel g(N) {
                  input x: vec[N]
                  weight w: vec[N]
                  output y: vec[N]
                  param cap = 2
                  body { y = softcap(x, cap) + gelu(x) * w + selu(x) }
                }
                """);
        Map<String, double[]> t = new HashMap<>();
        t.put("x", new double[]{-1, 0.5, 3, -0.25});
        t.put("w", new double[]{2, 3});
        t.put("y", new double[4]);
        Interpreter.kernel(c, 2, call("N", 2), t);
        double[] x = t.get("x"), w = t.get("w");
        for (int r = 0; r < 4; r++) {
            double e = 2 * Math.tanh(x[r] / 2) + MathRef.gelu(x[r]) * w[r % 2] + MathRef.selu(x[r]);
            assertEquals(e, t.get("y")[r], 1e-14);
        }
        assertEquals(0.8427007929497149, MathRef.erf(1), 1e-15);
        assertEquals(-0.9999779095030014, MathRef.erf(-3), 1e-15);
        assertEquals(0.0, MathRef.erf(0), 0);
    }
}
