package xlstm.codegen.interp;

import xlstm.dsl.ir.CellIR;
import xlstm.dsl.ir.Decl;
import xlstm.dsl.ir.Expr;
import xlstm.dsl.ir.IrException;
import xlstm.dsl.ir.Param;
import xlstm.dsl.ir.Stmt;
import xlstm.dsl.ir.Type;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The float64 reference interpreter of the IR: step semantics of a cell (per batch element and head), a sequence
 * as repeated steps, and stateless kernels per row. Tensors are {@code double[]} in the layouts of
 * {@code docs/glue-contract.md} (row-major, states updated in place). Every emitter is tested against this.
 */
public final class Interpreter {
    private Interpreter() {}

    /** Sizes and params of one call. {@code params} may omit params that have defaults. */
    public record Call(Map<String, Integer> dims, Map<String, Object> params) {
        public int dim(String name) {
            Integer v = dims.get(name);
            if (v == null) throw new IllegalArgumentException("no size given for dim " + name);
            return v;
        }
    }

    public static int size(Type t, Call call) {
        int n = 1;
        for (var d : t.dims()) n *= call.dim(d.name());
        return n;
    }

    /** One step of a cell: inputs (B,NH,...) read, states (B,NH,...) updated, outputs (B,NH,...) written. */
    public static void step(CellIR cell, int B, int NH, Call call, Map<String, double[]> tensors) {
        sequence(cell, B, NH, 1, call, tensors);
    }

    /** S steps of a cell: inputs/outputs (B,NH,S,...), states (B,NH,...) carried in and out. */
    public static void sequence(CellIR cell, int B, int NH, int S, Call call, Map<String, double[]> tensors) {
        requireCell(cell, true);
        Set<String> allZeroStates = allZeroStates(cell);
        for (int t = 0; t < S; t++) {
            Map<String, Boolean> allZero = new HashMap<>();
            for (String s : allZeroStates) {
                boolean z = true;
                for (double v : tensors.get(s)) if (v != 0) { z = false; break; }
                allZero.put(s, z);
            }
            for (int b = 0; b < B; b++)
                for (int h = 0; h < NH; h++)
                    runOne(cell, call, tensors, b * NH + h, h, t, S, allZero);
        }
    }

    /** A stateless kernel over {@code rows} rows. */
    public static void kernel(CellIR kernel, int rows, Call call, Map<String, double[]> tensors) {
        requireCell(kernel, false);
        for (int r = 0; r < rows; r++) runOne(kernel, call, tensors, r, 0, 0, 1, Map.of());
    }

    /** The states named in {@code all_zero} calls of the body. */
    public static Set<String> allZeroStates(CellIR cell) {
        Set<String> out = new HashSet<>();
        for (Stmt s : cell.body()) collectAllZero(s.value(), out);
        return out;
    }

    private static void collectAllZero(Expr e, Set<String> out) {
        if (e instanceof Expr.Call c && c.fn() == xlstm.dsl.ir.Builtin.ALL_ZERO) out.add(((Expr.Ref) c.arg(0)).name());
        for (Expr x : e.children()) collectAllZero(x, out);
    }

    private static void requireCell(CellIR c, boolean cell) {
        if (c.isCell() != cell) throw new IllegalArgumentException(c.name() + " is a " + c.kind().keyword());
    }

    /**
     * One unit of work: index {@code bh} of the leading (B*NH or rows) axis, head {@code h} for weights, time t of S.
     */
    private static void runOne(CellIR cell, Call call, Map<String, double[]> tensors, int bh, int h, int t, int S,
                               Map<String, Boolean> allZero) {
        Map<String, Value> inputs = new HashMap<>(), weights = new HashMap<>(), states = new HashMap<>();
        for (Decl d : cell.inputs()) inputs.put(d.name(), slice(tensors, d, call, (long) bh * S + t));
        for (Decl d : cell.weights()) weights.put(d.name(), slice(tensors, d, call, cell.isCell() ? h : 0));
        for (Decl d : cell.states()) states.put(d.name(), slice(tensors, d, call, bh));
        Map<String, Value> out = stepValues(cell, call, inputs, weights, states, allZero);
        for (Decl d : cell.states())
            if (out.containsKey(d.name() + "'")) store(tensors, d, call, bh, out.get(d.name() + "'"));
        for (Decl d : cell.outputs()) store(tensors, d, call, (long) bh * S + t, out.get(d.name()));
    }

    /**
     * The step semantics on values of one head: returns every definition of the body by its display name
     * ({@code lf}, {@code C'}, {@code h}).
     */
    public static Map<String, Value> stepValues(CellIR cell, Call call, Map<String, Value> inputs, Map<String, Value> weights,
                                                Map<String, Value> states, Map<String, Boolean> allZero) {
        Map<String, Value> defs = new HashMap<>();
        Evaluator ev = new Evaluator(r -> switch (r.kind()) {
            case INPUT -> inputs.get(r.name());
            case WEIGHT -> weights.get(r.name());
            case STATE -> states.get(r.name());
            case NEXT_STATE -> defs.get(r.name() + "'");
            case LET, OUTPUT -> defs.get(r.name());
            case PARAM -> param(cell, call, r.name());
            case DIM -> Value.scalar(call.dim(r.name()));
        }, name -> {
            Boolean z = allZero.get(name);
            if (z == null) throw new IrException(null, "all_zero(" + name + ") not evaluated");
            return z;
        });
        for (Stmt s : cell.body()) {
            Value v = ev.eval(s.value());
            if (v == null) throw new IrException(s.pos(), "undefined reference in " + s.displayName());
            defs.put(s.displayName(), broadcast(v, s.type(), call));
        }
        return defs;
    }

    public static Value param(CellIR cell, Call call, String name) {
        Param p = cell.param(name).orElseThrow(() -> new IllegalArgumentException("no param " + name));
        Object v = call.params().get(name);
        if (v == null) {
            if (!p.hasDefault()) throw new IllegalArgumentException("param " + name + " has no default and no value");
            return p.isBool() ? Value.bool(p.defaultBool()) : Value.scalar(p.defaultValue());
        }
        return switch (v) {
            case Boolean b -> Value.bool(b);
            case Number n -> p.isBool() ? Value.bool(n.doubleValue() != 0) : Value.scalar(n.doubleValue());
            default -> throw new IllegalArgumentException("bad value for param " + name + ": " + v);
        };
    }

    /** A scalar value assigned to a vec/mat definition is broadcast. */
    private static Value broadcast(Value v, Type t, Call call) {
        if (v.rank() == t.rank()) return v;
        Value z = Value.zeros(t, call::dim);
        java.util.Arrays.fill(z.data(), v.s());
        return z;
    }

    private static Value slice(Map<String, double[]> tensors, Decl d, Call call, long index) {
        double[] all = tensors.get(d.name());
        if (all == null) throw new IllegalArgumentException("missing tensor " + d.name());
        int n = size(d.type(), call);
        double[] part = new double[n];
        System.arraycopy(all, Math.toIntExact(index * n), part, 0, n);
        return switch (d.type()) {
            case Type.Mat m -> Value.mat(part, call.dim(m.rows().name()), call.dim(m.cols().name()));
            case Type.Vec v -> Value.vec(part);
            default -> Value.scalar(part[0]);
        };
    }

    private static void store(Map<String, double[]> tensors, Decl d, Call call, long index, Value v) {
        double[] all = tensors.get(d.name());
        int n = size(d.type(), call);
        System.arraycopy(v.data(), 0, all, Math.toIntExact(index * n), n);
    }

    /** Initial states of a cell in contract layout (every element = the declared init). */
    public static Map<String, double[]> initialStates(CellIR cell, int B, int NH, Call call) {
        Map<String, double[]> m = new HashMap<>();
        for (Decl d : cell.states()) {
            double[] a = new double[B * NH * size(d.type(), call)];
            java.util.Arrays.fill(a, d.init());
            m.put(d.name(), a);
        }
        return m;
    }

    public static List<Decl> declsOf(CellIR cell) { return cell.tensorArgs(); }
}
