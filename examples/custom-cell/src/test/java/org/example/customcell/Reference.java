package org.example.customcell;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import xlstm.codegen.interp.Interpreter;
import xlstm.dsl.Dsl;
import xlstm.dsl.ir.CellIR;
import xlstm.dsl.ir.IrModule;

/** The cell's IR as the compiler sees it, and float32/float64 plumbing for comparing against its interpreter. */
final class Reference {
    private Reference() {}

    static final Path SOURCES = Path.of("src", "main", "xlstm");

    /** The IR of cell {@code name} from this project's DSL sources. */
    static CellIR cell(String name) {
        try {
            for (IrModule m : Dsl.compile(Dsl.findSources(SOURCES)))
                for (CellIR c : m.units()) if (c.name().equals(name)) return c;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalArgumentException("no cell " + name + " under " + SOURCES);
    }

    static Interpreter.Call call(int dqk, int dv, double eps) {
        return new Interpreter.Call(Map.of("DQK", dqk, "DV", dv), Map.of("eps", eps));
    }

    static MemorySegment seg(Arena a, double[] d) {
        MemorySegment s = a.allocate(4L * Math.max(1, d.length), 64);
        for (int i = 0; i < d.length; i++) s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) d[i]);
        return s;
    }

    static double[] read(MemorySegment s, int n) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = s.getAtIndex(ValueLayout.JAVA_FLOAT, i);
        return d;
    }

    static void write(MemorySegment s, double[] d) {
        for (int i = 0; i < d.length; i++) s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) d[i]);
    }

    /** Asserts {@code max|out - ref| <= atol + rtol * max|ref|}; returns {@code max|out - ref|}. */
    static double assertClose(String what, double[] out, double[] ref, double atol, double rtol) {
        double d = 0, m = 0;
        int at = -1;
        for (int i = 0; i < ref.length; i++) {
            double x = Math.abs(out[i] - ref[i]);
            if (!(x <= d)) { d = x; at = i; }
            m = Math.max(m, Math.abs(ref[i]));
        }
        double tol = atol + rtol * m;
        assertTrue(d <= tol, what + ": max|out-ref| = " + d + " at " + at + " > " + tol + " (max|ref| " + m + ")");
        return d;
    }

    static final List<String> INPUTS = List.of("q", "k", "v", "i", "f");
    static final List<String> STATES = List.of("C", "n", "m");
}
