package xlstm.codegen.schedule;

import xlstm.codegen.interp.Evaluator;
import xlstm.codegen.interp.Interpreter;
import xlstm.codegen.interp.Value;
import xlstm.dsl.ir.CellIR;
import xlstm.dsl.ir.Decl;
import xlstm.dsl.ir.Expr;

import java.util.Map;

/**
 * float64 reference of the derived chunkwise and parallel schedules of a {@link LinearRecurrence}, evaluated
 * straight from the formulas of SPEC §1.3/§1.5 (with any S: a shorter last chunk). Tests compare it with the
 * step interpreter (the derivation is right) and the emitters with it.
 */
public final class ScheduleInterpreter {
    private ScheduleInterpreter() {}

    /** Per (b, h) and time: gates, query, key, value. */
    private record Steps(double[] lf, double[] li, double[][] q, double[][] k, double[][] v) {}

    private static Steps steps(CellIR cell, LinearRecurrence lr, Interpreter.Call call, Map<String, double[]> t,
                               int bh, int hd, int S) {
        double[] lf = new double[S], li = new double[S];
        double[][] q = new double[S][], k = new double[S][], v = new double[S][];
        for (int s = 0; s < S; s++) {
            final long row = (long) bh * S + s;
            Evaluator ev = new Evaluator(r -> switch (r.kind()) {
                case INPUT -> slice(cell, call, t, r.name(), row);
                case WEIGHT -> slice(cell, call, t, r.name(), hd);
                case PARAM -> Interpreter.param(cell, call, r.name());
                case DIM -> Value.scalar(call.dim(r.name()));
                default -> throw new IllegalStateException("schedule expression reads " + r.kind() + " " + r.name());
            }, n -> { throw new IllegalStateException("all_zero in a linear recurrence"); });
            lf[s] = ev.eval(lr.logForget()).s();
            li[s] = ev.eval(lr.logInput()).s();
            q[s] = vecOf(ev.eval(lr.query()), call.dim(lr.keyDim().name()));
            k[s] = vecOf(ev.eval(lr.key()), call.dim(lr.keyDim().name()));
            v[s] = vecOf(ev.eval(lr.value()), call.dim(lr.valueDim().name()));
        }
        return new Steps(lf, li, q, k, v);
    }

    private static double[] vecOf(Value x, int n) {
        if (x.rank() == 1) return x.data();
        double[] r = new double[n];
        java.util.Arrays.fill(r, x.s());
        return r;
    }

    private static Value slice(CellIR cell, Interpreter.Call call, Map<String, double[]> t, String name, long index) {
        Decl d = cell.decl(name).orElseThrow();
        int n = Interpreter.size(d.type(), call);
        double[] part = new double[n];
        System.arraycopy(t.get(name), Math.toIntExact(index * n), part, 0, n);
        return n == 1 && d.type().rank() == 0 ? Value.scalar(part[0]) : Value.vec(part);
    }

    private static double scalarParam(CellIR cell, Interpreter.Call call, Expr e) {
        return new Evaluator(r -> switch (r.kind()) {
            case PARAM -> Interpreter.param(cell, call, r.name());
            case DIM -> Value.scalar(call.dim(r.name()));
            default -> throw new IllegalStateException();
        }, n -> false).eval(e).s();
    }

    /** The chunkwise schedule with chunk size L over tensors in contract layout (states in and out). */
    public static void chunkwise(CellIR cell, LinearRecurrence lr, int B, int NH, int S, int L, Interpreter.Call call,
                                 Map<String, double[]> t) {
        int DK = call.dim(lr.keyDim().name()), DV = call.dim(lr.valueDim().name());
        double eps = lr.normalised() ? scalarParam(cell, call, lr.eps()) : 0;
        double lower = lr.normalised() && !lr.stabilised() ? scalarParam(cell, call, lr.lowerBound()) : 0;
        double[] Ct = t.get(lr.matrixState()), nt = lr.hasNormState() ? t.get(lr.normState()) : null,
                mt = lr.stabilised() ? t.get(lr.stabState()) : null, ht = t.get(lr.output());
        for (int bh = 0; bh < B * NH; bh++) {
            Steps st = steps(cell, lr, call, t, bh, bh % NH, S);
            double[] C = new double[DK * DV];
            System.arraycopy(Ct, bh * DK * DV, C, 0, DK * DV);
            double[] n = new double[DK];
            if (nt != null) System.arraycopy(nt, bh * DK, n, 0, DK);
            double m = mt != null ? mt[bh] : 0;
            for (int c0 = 0; c0 < S; c0 += L) {
                int Lc = Math.min(L, S - c0);
                double[] b = new double[Lc];
                double acc = 0;
                for (int x = 0; x < Lc; x++) { acc += st.lf[c0 + x]; b[x] = acc; }
                double g = acc;
                // outputs
                for (int x = 0; x < Lc; x++) {
                    double[] Dt = new double[x + 1];
                    double mx = Double.NEGATIVE_INFINITY;
                    for (int s = 0; s <= x; s++) {
                        Dt[s] = b[x] - b[s] + st.li[c0 + s];
                        mx = Math.max(mx, Dt[s]);
                    }
                    double mc = lr.stabilised() ? Math.max(b[x] + m, mx) : 0;
                    double beta = Math.exp(b[x] + (lr.stabilised() ? m : 0) - mc);
                    double[] q = st.q[c0 + x];
                    double[] num = new double[DV];
                    double den = 0;
                    for (int r = 0; r < DK; r++) {
                        for (int j = 0; j < DV; j++) num[j] += beta * q[r] * C[r * DV + j];
                        den += beta * q[r] * n[r];
                    }
                    for (int s = 0; s <= x; s++) {
                        double w = dot(q, st.k[c0 + s]) * Math.exp(Dt[s] - mc);
                        for (int j = 0; j < DV; j++) num[j] += w * st.v[c0 + s][j];
                        den += w;
                    }
                    double div = lr.normalised() ? Math.max(Math.abs(den), lr.stabilised() ? Math.exp(-mc) : lower) + eps : 1;
                    for (int j = 0; j < DV; j++) ht[(int) (((long) bh * S + c0 + x) * DV + j)] = num[j] / div;
                }
                // states
                double[] a = new double[Lc];
                for (int x = 0; x < Lc; x++) a[x] = g - b[x] + st.li[c0 + x];
                double mn = m, fC;
                if (lr.stabilised()) {
                    double amax = Double.NEGATIVE_INFINITY;
                    for (double ax : a) amax = Math.max(amax, ax);
                    mn = Math.max(g + m, amax);
                    fC = Math.exp(g + m - mn);
                } else {
                    fC = Math.exp(g);
                }
                for (int r = 0; r < DK; r++) {
                    for (int j = 0; j < DV; j++) C[r * DV + j] *= fC;
                    n[r] *= fC;
                }
                for (int x = 0; x < Lc; x++) {
                    double w = Math.exp(a[x] - (lr.stabilised() ? mn : 0));
                    double[] k = st.k[c0 + x], v = st.v[c0 + x];
                    for (int r = 0; r < DK; r++) {
                        for (int j = 0; j < DV; j++) C[r * DV + j] += w * k[r] * v[j];
                        n[r] += w * k[r];
                    }
                }
                m = mn;
            }
            System.arraycopy(C, 0, Ct, bh * DK * DV, DK * DV);
            if (nt != null) System.arraycopy(n, 0, nt, bh * DK, DK);
            if (mt != null) mt[bh] = m;
        }
    }

    /** The quadratic parallel form (zero initial state, row-max stabiliser without m0). Writes only the output. */
    public static void parallel(CellIR cell, LinearRecurrence lr, int B, int NH, int S, Interpreter.Call call,
                                Map<String, double[]> t) {
        int DV = call.dim(lr.valueDim().name());
        double eps = lr.normalised() ? scalarParam(cell, call, lr.eps()) : 0;
        double lower = lr.normalised() && !lr.stabilised() ? scalarParam(cell, call, lr.lowerBound()) : 0;
        double[] ht = t.get(lr.output());
        for (int bh = 0; bh < B * NH; bh++) {
            Steps st = steps(cell, lr, call, t, bh, bh % NH, S);
            for (int x = 0; x < S; x++) {
                double[] F = new double[x + 1];
                double mx = Double.NEGATIVE_INFINITY, fs = 0;
                for (int s = x; s >= 0; s--) {
                    F[s] = fs + st.li[s];
                    mx = Math.max(mx, F[s]);
                    fs += st.lf[s];
                }
                double mrow = lr.stabilised() ? mx : 0;
                double[] num = new double[DV];
                double den = 0;
                for (int s = 0; s <= x; s++) {
                    double w = dot(st.q[x], st.k[s]) * Math.exp(F[s] - mrow);
                    for (int j = 0; j < DV; j++) num[j] += w * st.v[s][j];
                    den += w;
                }
                double div = lr.normalised() ? Math.max(Math.abs(den), lr.stabilised() ? Math.exp(-mrow) : lower) + eps : 1;
                for (int j = 0; j < DV; j++) ht[(int) (((long) bh * S + x) * DV + j)] = num[j] / div;
            }
        }
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += a[i] * b[i];
        return s;
    }
}
