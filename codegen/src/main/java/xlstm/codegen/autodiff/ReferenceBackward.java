package xlstm.codegen.autodiff;

import xlstm.codegen.interp.Interpreter;
import xlstm.codegen.interp.Value;
import xlstm.dsl.ir.CellIR;
import xlstm.dsl.ir.Decl;
import xlstm.dsl.ir.Type;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The float64 reference of the backward of a sequence, on the interpreter: the forward run keeps the states before
 * every step (and the batch-global {@code all_zero} flags it saw), then the adjoint step runs in reverse time. This
 * is the reference the generated {@code <Cell>Grad} classes are tested against; it stores every state (no
 * checkpoints), which is fine for test sizes.
 *
 * <p>Tensors by name, in the layouts of {@code <Cell>Grad.sequence}: forward inputs, weights, initial states (read
 * only), {@code d<out>} (read), {@code d<state>} (in: cotangent of the final states; out: of the initial ones),
 * {@code d<input>} (written), {@code d<weight>} (accumulated).
 */
public final class ReferenceBackward {
    private ReferenceBackward() {}

    public static void sequence(AdjointCell adj, int B, int NH, int S, Interpreter.Call call, Map<String, double[]> t) {
        CellIR fwd = adj.forward(), ir = adj.ir();
        int BH = B * NH;
        // forward: states before each step, flags of each step
        Map<String, double[]> cur = new HashMap<>();
        for (Decl d : fwd.states()) cur.put(d.name(), t.get(d.name()).clone());
        List<Map<String, double[]>> before = new ArrayList<>();
        List<Map<String, Boolean>> flags = new ArrayList<>();
        for (int s = 0; s < S; s++) {
            Map<String, double[]> copy = new HashMap<>();
            cur.forEach((k, v) -> copy.put(k, v.clone()));
            before.add(copy);
            Map<String, Boolean> az = new HashMap<>();
            for (String st : adj.flags().keySet()) {
                boolean z = true;
                for (double v : cur.get(st)) if (v != 0) { z = false; break; }
                az.put(st, z);
            }
            flags.add(az);
            for (int bh = 0; bh < BH; bh++) {
                Map<String, Value> in = new HashMap<>(), w = new HashMap<>(), st = new HashMap<>();
                for (Decl d : fwd.inputs()) in.put(d.name(), get(t.get(d.name()), d.type(), call, (long) bh * S + s));
                for (Decl d : fwd.weights()) w.put(d.name(), get(t.get(d.name()), d.type(), call, bh % NH));
                for (Decl d : fwd.states()) st.put(d.name(), get(cur.get(d.name()), d.type(), call, bh));
                Map<String, Value> out = Interpreter.stepValues(fwd, call, in, w, st, az);
                for (Decl d : fwd.states())
                    if (out.containsKey(d.name() + "'")) put(cur.get(d.name()), d.type(), call, bh, out.get(d.name() + "'"));
            }
        }
        // backward: per-(b, h) weight accumulators, reduced over b in order at the end
        Map<String, double[]> acc = new HashMap<>();
        for (Decl d : adj.weightCotangents()) acc.put(d.name(), new double[BH * Interpreter.size(d.type(), call)]);
        for (int s = S - 1; s >= 0; s--) {
            for (int bh = 0; bh < BH; bh++) {
                Map<String, Value> in = new HashMap<>(), w = new HashMap<>(), st = new HashMap<>();
                for (Decl d : fwd.inputs()) in.put(d.name(), get(t.get(d.name()), d.type(), call, (long) bh * S + s));
                for (Decl d : fwd.states()) in.put(d.name(), get(before.get(s).get(d.name()), d.type(), call, bh));
                for (Decl d : fwd.outputs()) {
                    String n = AdjointCell.d(d.name());
                    in.put(n, get(t.get(n), d.type(), call, (long) bh * S + s));
                }
                for (var f : adj.flags().entrySet()) in.put(f.getValue(), Value.scalar(flags.get(s).get(f.getKey()) ? 1 : 0));
                for (Decl d : fwd.weights()) w.put(d.name(), get(t.get(d.name()), d.type(), call, bh % NH));
                for (Decl d : adj.stateCotangents()) st.put(d.name(), get(t.get(d.name()), d.type(), call, bh));
                for (Decl d : adj.weightCotangents()) st.put(d.name(), get(acc.get(d.name()), d.type(), call, bh));
                Map<String, Value> out = Interpreter.stepValues(ir, call, in, w, st, Map.of());
                for (Decl d : adj.stateCotangents())
                    if (out.containsKey(d.name() + "'")) put(t.get(d.name()), d.type(), call, bh, out.get(d.name() + "'"));
                for (Decl d : adj.weightCotangents())
                    if (out.containsKey(d.name() + "'")) put(acc.get(d.name()), d.type(), call, bh, out.get(d.name() + "'"));
                for (Decl d : ir.outputs()) put(t.get(d.name()), d.type(), call, (long) bh * S + s, out.get(d.name()));
            }
        }
        for (Decl d : adj.weightCotangents()) {
            int n = Interpreter.size(d.type(), call);
            double[] dw = t.get(d.name()), a = acc.get(d.name());
            for (int b = 0; b < B; b++)
                for (int h = 0; h < NH; h++)
                    for (int e = 0; e < n; e++) dw[h * n + e] += a[(b * NH + h) * n + e];
        }
    }

    /**
     * The backward of a kernel over {@code rows} rows: {@code d<input>} written, {@code d<weight>} accumulated
     * (rows summed in order); tensors as for {@link Interpreter#kernel} plus {@code d<out>}.
     */
    public static void kernel(AdjointCell adj, int rows, Interpreter.Call call, Map<String, double[]> t) {
        Map<String, double[]> shares = new HashMap<>(t);
        for (Decl d : adj.weightRowCotangents()) shares.put(d.name(), new double[rows * Interpreter.size(d.type(), call)]);
        Interpreter.kernel(adj.ir(), rows, call, shares);
        for (Decl d : adj.weightRowCotangents()) {
            int n = Interpreter.size(d.type(), call);
            double[] dw = t.get(d.name()), a = shares.get(d.name());
            for (int r = 0; r < rows; r++)
                for (int e = 0; e < n; e++) dw[e] += a[r * n + e];
        }
    }

    static Value get(double[] all, Type type, Interpreter.Call call, long index) {
        int n = Interpreter.size(type, call);
        double[] part = new double[n];
        System.arraycopy(all, Math.toIntExact(index * n), part, 0, n);
        return switch (type) {
            case Type.Mat m -> Value.mat(part, call.dim(m.rows().name()), call.dim(m.cols().name()));
            case Type.Vec v -> Value.vec(part);
            default -> Value.scalar(part[0]);
        };
    }

    static void put(double[] all, Type type, Interpreter.Call call, long index, Value v) {
        int n = Interpreter.size(type, call);
        if (v.size() == n) System.arraycopy(v.data(), 0, all, Math.toIntExact(index * n), n);
        else java.util.Arrays.fill(all, Math.toIntExact(index * n), Math.toIntExact(index * n) + n, v.s());
    }
}
