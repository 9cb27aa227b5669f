package xlstm.generated;

import xlstm.backends.cpu.KernelMode;
import xlstm.codegen.Compiler;
import xlstm.codegen.interp.Interpreter;
import xlstm.codegen.java.JavaVectorEmitter;
import xlstm.codegen.schedule.ScheduleKind;
import xlstm.codegen.schedule.ScheduledCell;
import xlstm.dsl.Dsl;
import xlstm.dsl.ir.CellIR;
import xlstm.dsl.ir.Decl;
import xlstm.dsl.ir.IrModule;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Test plumbing: the IR of the module's own sources, random tensors, float32 segments, reflective calls. */
final class Harness {
    private Harness() {}

    private static Map<String, CellIR> cells;

    static synchronized CellIR cell(String name) {
        if (cells == null) {
            cells = new HashMap<>();
            try {
                for (IrModule m : Dsl.compile(Dsl.findSources(Path.of("src", "main", "xlstm"))))
                    for (CellIR c : m.units()) cells.put(c.name(), c);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        CellIR c = cells.get(name);
        if (c == null) throw new IllegalArgumentException("no unit " + name + " in src/main/xlstm");
        return c;
    }

    static ScheduledCell scheduled(String name) { return Compiler.scheduleOne(cell(name)); }

    /** Gaussian values rounded to float32 (so the float64 reference sees exactly what the kernels see). */
    static double[] gauss(Random r, int n, double scale, double shift) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextGaussian() * scale + shift);
        return a;
    }

    static Map<String, double[]> copy(Map<String, double[]> t) {
        Map<String, double[]> c = new HashMap<>();
        t.forEach((k, v) -> c.put(k, v.clone()));
        return c;
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

    /** The maximum of |out - ref| and whether it is within atol + rtol * max|ref|. */
    static void assertClose(String what, double[] out, double[] ref, double atol, double rtol) {
        double d = 0, m = 0;
        int at = -1;
        for (int i = 0; i < ref.length; i++) {
            double x = Math.abs(out[i] - ref[i]);
            if (!(x <= d)) { d = x; at = i; }
            m = Math.max(m, Math.abs(ref[i]));
        }
        double tol = atol + rtol * m;
        assertTrue(d <= tol, what + ": max|out-ref| = " + d + " at " + at + " (out " + (at >= 0 ? out[at] : 0) + ", ref "
                + (at >= 0 ? ref[at] : 0) + ") > " + tol + " (max|ref| " + m + ")");
    }

    /** Calls a schedule's entry point of the generated class of {@code cell} with tensors as float32 segments. */
    static void invoke(CellIR cell, ScheduleKind kind, Map<String, Integer> ints, Map<String, MemorySegment> segs,
                       Map<String, Object> params, boolean scalar) {
        try {
            invoke(Class.forName("xlstm.generated." + JavaVectorEmitter.className(cell)), cell, kind, ints, segs, params, scalar);
        } catch (ClassNotFoundException e) {
            throw new AssertionError(e);
        }
    }

    static void invoke(Class<?> cls, CellIR cell, ScheduleKind kind, Map<String, Integer> ints, Map<String, MemorySegment> segs,
                       Map<String, Object> params, boolean scalar) {
        try {
            List<JavaVectorEmitter.Arg> sig = JavaVectorEmitter.signature(cell, kind);
            Method method = null;
            for (Method mm : cls.getMethods())
                if (mm.getName().equals(kind.method()) && mm.getParameterCount() == sig.size()) method = mm;
            if (method == null) throw new AssertionError(cls + " has no " + kind.method() + " with " + sig.size() + " parameters");
            List<Object> args = new ArrayList<>();
            for (JavaVectorEmitter.Arg a : sig) {
                Object v = switch (a.type()) {
                    case "int" -> ints.get(a.name());
                    case "MemorySegment" -> segs.get(a.name());
                    default -> {
                        Object p = params.get(a.name());
                        if (p == null) p = cls.getField(JavaVectorEmitter.defaultConstant(a.name())).get(null);
                        yield a.type().equals("float") ? (Object) ((Number) p).floatValue() : p;
                    }
                };
                if (v == null) throw new AssertionError("no value for " + a.name());
                args.add(v);
            }
            boolean was = KernelMode.scalar();
            KernelMode.forceScalar(scalar);
            try {
                method.invoke(null, args.toArray());
            } finally {
                KernelMode.forceScalar(was);
            }
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new AssertionError(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Calls {@code <Unit>Grad.sequence} (cells) or {@code .apply} (kernels) of class {@code cls} with segments and ints
     * by name; params from {@code params}, else their defaults. A name that is a Java keyword has a trailing '_' in
     * the signature ({@code do_} for the cotangent of input {@code o}); its segment is looked up without it.
     */
    static void invokeGrad(Class<?> cls, CellIR unit, Map<String, Integer> ints, Map<String, MemorySegment> segs,
                           Map<String, Object> params, boolean scalar) {
        try {
            List<JavaVectorEmitter.Arg> sig = JavaVectorEmitter.gradSignature(unit);
            String name = unit.isCell() ? "sequence" : "apply";
            Method method = null;
            for (Method mm : cls.getMethods()) if (mm.getName().equals(name) && mm.getParameterCount() == sig.size()) method = mm;
            if (method == null) throw new AssertionError(cls + " has no " + name + " with " + sig.size() + " parameters");
            List<Object> args = new ArrayList<>();
            for (JavaVectorEmitter.Arg a : sig) {
                args.add(switch (a.type()) {
                    case "int" -> ints.get(a.name());
                    case "MemorySegment" -> segs.getOrDefault(a.name(), segs.get(a.name().replaceAll("_$", "")));
                    default -> {
                        Object p = params.get(a.name());
                        var param = unit.param(a.name()).orElseThrow();
                        if (p == null) p = param.isBool() ? (Object) param.defaultBool() : param.defaultValue();
                        yield a.type().equals("float") ? (Object) ((Number) p).floatValue() : p;
                    }
                });
            }
            boolean was = KernelMode.scalar();
            KernelMode.forceScalar(scalar);
            try {
                method.invoke(null, args.toArray());
            } finally {
                KernelMode.forceScalar(was);
            }
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new AssertionError(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** Random inputs, weights, states (or zero states) of a cell in contract layout, float32-exact. */
    static Map<String, double[]> randomCell(CellIR c, int B, int NH, int S, Interpreter.Call call, long seed, boolean states) {
        Random r = new Random(seed);
        Map<String, double[]> t = new HashMap<>();
        for (Decl d : c.inputs()) {
            int n = B * NH * S * Interpreter.size(d.type(), call);
            t.put(d.name(), switch (d.name()) {
                case "i" -> gauss(r, n, 2.0, 0);
                case "f" -> gauss(r, n, 2.0, 1.5);
                default -> gauss(r, n, 1.0, 0);
            });
        }
        for (Decl d : c.weights()) {
            int n = NH * Interpreter.size(d.type(), call);
            double scale = d.type().rank() == 2 ? 0.5 / Math.sqrt(call.dim(d.type().dims().get(1).name())) : 0.5;
            t.put(d.name(), gauss(r, n, scale, 0));
        }
        for (Decl d : c.states()) {
            int n = B * NH * Interpreter.size(d.type(), call);
            double[] v = states ? gauss(r, n, 0.5, 0) : new double[n];
            if (states && d.name().equals("n") && c.name().equals("slstm")) for (int i = 0; i < n; i++) v[i] = (float) (1 + Math.abs(v[i]));
            t.put(d.name(), v);
        }
        for (Decl d : c.outputs()) t.put(d.name(), new double[B * NH * S * Interpreter.size(d.type(), call)]);
        return t;
    }
}
