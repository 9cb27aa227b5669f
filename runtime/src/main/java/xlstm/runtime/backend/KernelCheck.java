package xlstm.runtime.backend;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import xlstm.runtime.config.ActivationFn;
import xlstm.runtime.tensor.Tensor;

/**
 * Every {@link KernelBackend} entry point of one backend against another (normally the Java kernels) on random
 * inputs, including what the golden fixtures do not reach: step calls, mLSTMsig without normalisation, lstm, every
 * activation, initial states, S not a multiple of the chunk, N with and without a tail of 4. Used by the backends'
 * tests and, through {@link #main}, on machines without Maven (the GPU machine's {@code scripts/gpu-check.sh}).
 *
 * <p>A check passes when {@code max|test - ref| <= 1e-5 + 2e-4 max|ref|} (and no NaN).
 */
public final class KernelCheck {
    /** One compared tensor. */
    public record Result(String what, double maxErr, double maxRef) {
        public boolean passed() { return maxErr <= 1e-5 + 2e-4 * maxRef && !Double.isNaN(maxErr); }

        public String line() {
            return String.format(Locale.ROOT, "%s %s max_abs_err=%.3e max|ref|=%.3e", passed() ? "PASS" : "FAIL", what,
                    maxErr, maxRef);
        }
    }

    private final KernelBackend ref, test;
    private final SplittableRandom rnd = new SplittableRandom(7);
    private final List<Result> results = new ArrayList<>();

    private KernelCheck(KernelBackend ref, KernelBackend test) {
        this.ref = ref;
        this.test = test;
    }

    /** Runs every check of {@code test} against {@code ref}; one result per compared tensor. */
    public static List<Result> compare(KernelBackend ref, KernelBackend test) {
        KernelCheck c = new KernelCheck(ref, test);
        c.mlstm(2, 2, 11, 8, 6, 4, "");
        c.mlstm(1, 3, 130, 64, 96, 64, " (big heads)");
        c.recurrent(3, 2, 6, 5);
        c.recurrent(2, 4, 3, 40);
        for (int n : new int[] {8, 10, 1, 4099}) c.pointwise(5, n);
        return List.copyOf(c.results);
    }

    /**
     * {@code java ... xlstm.runtime.backend.KernelCheck BACKEND}: compares BACKEND with the Java kernels, one line per
     * tensor, then {@code N passed, M failed}; exit 1 when any failed, 2 when the backend is unavailable.
     */
    public static void main(String[] args) {
        String name = args.length > 0 ? args[0] : KernelBackends.AUTO;
        KernelBackend b;
        try {
            b = KernelBackends.get(name);
        } catch (RuntimeException e) {
            System.out.println("kernel check: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.out.println("kernel check of " + b.name() + " (" + b.device() + ") against cpu");
        long t0 = System.nanoTime();
        List<Result> rs = compare(JavaKernels.INSTANCE, b);
        int failed = 0;
        for (Result r : rs) {
            if (!r.passed()) failed++;
            System.out.println(r.line());
        }
        System.out.printf(Locale.ROOT, "%d passed, %d failed (%.1f s)%n", rs.size() - failed, failed,
                (System.nanoTime() - t0) / 1e9);
        System.out.println("after the check: " + b.device());
        System.exit(failed == 0 ? 0 : 1);
    }

    // ------------------------------------------------------------------ the checks

    private Tensor rand(float scale, float offset, long... shape) {
        Tensor t = Tensor.zeros(shape);
        for (long j = 0; j < t.numel(); j++) t.setFloat(j, (float) (offset + scale * (2 * rnd.nextDouble() - 1)));
        return t;
    }

    private static MemorySegment d(Tensor t) { return t.data(); }

    /** Time step 0 of (B, NH, S, D...) as (B, NH, D...). */
    private static Tensor first(Tensor x) {
        long bnh = x.dim(0) * x.dim(1), s = x.dim(2), d = x.numel() / (bnh * s);
        long[] shape = x.rank() == 3 ? new long[] {x.dim(0), x.dim(1)} : new long[] {x.dim(0), x.dim(1), x.dim(3)};
        Tensor y = Tensor.zeros(shape);
        for (long r = 0; r < bnh; r++) MemorySegment.copy(x.data(), r * s * d * 4, y.data(), r * d * 4, d * 4);
        return y;
    }

    private void close(String what, Tensor r, Tensor t) {
        double maxRef = 0, err = 0;
        for (long j = 0; j < r.numel(); j++) {
            maxRef = Math.max(maxRef, Math.abs(r.getFloat(j)));
            double e = Math.abs(r.getFloat(j) - t.getFloat(j));
            err = Double.isNaN(e) ? Double.NaN : Math.max(err, e);
            if (Double.isNaN(err)) break;
        }
        results.add(new Result(what, err, maxRef));
    }

    /** mlstm and mlstm_sig, every schedule, from a random state. */
    private void mlstm(int b, int nh, int s, int dqk, int dv, int chunk, String note) {
        String shape = String.format(Locale.ROOT, "[B=%d NH=%d S=%d DQK=%d DV=%d chunk=%d]%s", b, nh, s, dqk, dv, chunk, note);
        Tensor q = rand(1, 0, b, nh, s, dqk), k = rand(1, 0, b, nh, s, dqk), v = rand(1, 0, b, nh, s, dv);
        Tensor i = rand(2, 0, b, nh, s), f = rand(2, 2, b, nh, s);
        Tensor c0 = rand(0.5f, 0, b, nh, dqk, dv), n0 = rand(0.5f, 0, b, nh, dqk), m0 = rand(0.5f, 0, b, nh);
        for (String sched : new String[] {"sequence", "chunkwise", "parallel", "step"}) {
            Tensor[] r = {c0.copy(), n0.copy(), m0.copy(), Tensor.zeros(b, nh, s, dv)};
            Tensor[] o = {c0.copy(), n0.copy(), m0.copy(), Tensor.zeros(b, nh, s, dv)};
            for (int t = 0; t < 2; t++) {
                KernelBackend kb = t == 0 ? ref : test;
                Tensor[] x = t == 0 ? r : o;
                switch (sched) {
                    case "sequence" -> kb.mlstmSequence(b, nh, s, dqk, dv, d(q), d(k), d(v), d(i), d(f), d(x[0]), d(x[1]), d(x[2]), d(x[3]), 1e-6f);
                    case "chunkwise" -> kb.mlstmChunkwise(b, nh, s, dqk, dv, chunk, d(q), d(k), d(v), d(i), d(f), d(x[0]), d(x[1]), d(x[2]), d(x[3]), 1e-6f);
                    case "parallel" -> kb.mlstmParallel(b, nh, s, dqk, dv, d(q), d(k), d(v), d(i), d(f), d(x[3]), 1e-6f);
                    default -> {
                        Tensor h1 = Tensor.zeros(b, nh, dv);
                        kb.mlstmStep(b, nh, dqk, dv, d(first(q)), d(first(k)), d(first(v)), d(first(i)), d(first(f)),
                                d(x[0]), d(x[1]), d(x[2]), d(h1), 1e-6f);
                        x[3] = h1;
                    }
                }
            }
            int outs = sched.equals("parallel") ? 1 : 4;
            for (int j = 4 - outs; j < 4; j++) close("mlstm " + sched + " " + "Cnmh".charAt(j) + " " + shape, r[j], o[j]);
        }
        for (boolean normalize : new boolean[] {true, false}) {
            for (String sched : new String[] {"sequence", "chunkwise", "parallel", "step"}) {
                Tensor[] r = {c0.copy(), n0.copy(), Tensor.zeros(b, nh, s, dv)};
                Tensor[] o = {c0.copy(), n0.copy(), Tensor.zeros(b, nh, s, dv)};
                for (int t = 0; t < 2; t++) {
                    KernelBackend kb = t == 0 ? ref : test;
                    Tensor[] x = t == 0 ? r : o;
                    switch (sched) {
                        case "sequence" -> kb.mlstmSigSequence(b, nh, s, dqk, dv, d(q), d(k), d(v), d(i), d(f), d(x[0]), d(x[1]), d(x[2]), 1e-6f, normalize);
                        case "chunkwise" -> kb.mlstmSigChunkwise(b, nh, s, dqk, dv, chunk, d(q), d(k), d(v), d(i), d(f), d(x[0]), d(x[1]), d(x[2]), 1e-6f, normalize);
                        case "parallel" -> kb.mlstmSigParallel(b, nh, s, dqk, dv, d(q), d(k), d(v), d(i), d(f), d(x[2]), 1e-6f, normalize);
                        default -> {
                            Tensor h1 = Tensor.zeros(b, nh, dv);
                            kb.mlstmSigStep(b, nh, dqk, dv, d(first(q)), d(first(k)), d(first(v)), d(first(i)),
                                    d(first(f)), d(x[0]), d(x[1]), d(h1), 1e-6f, normalize);
                            x[2] = h1;
                        }
                    }
                }
                int outs = sched.equals("parallel") ? 1 : 3;
                for (int j = 3 - outs; j < 3; j++) {
                    close("mlstm_sig " + sched + " normalize=" + normalize + " " + "Cnh".charAt(j) + " " + shape, r[j], o[j]);
                }
            }
        }
    }

    /** slstm (whose step is decided over the whole batch) and lstm, sequence and step, from a zero state. */
    private void recurrent(int b, int nh, int s, int dh) {
        String shape = String.format(Locale.ROOT, "[B=%d NH=%d S=%d DH=%d]", b, nh, s, dh);
        Tensor[] x = new Tensor[4], rw = new Tensor[4], bias = new Tensor[4];
        for (int g = 0; g < 4; g++) {
            x[g] = rand(1, 0, b, nh, s, dh);
            rw[g] = rand(0.4f, 0, nh, dh, dh);
            bias[g] = rand(0.5f, 0, nh, dh);
        }
        for (boolean slstm : new boolean[] {true, false}) {
            for (boolean step : new boolean[] {false, true}) {
                int steps = step ? 1 : s;
                Tensor[][] st = new Tensor[2][];
                Tensor[] h = new Tensor[2];
                for (int t = 0; t < 2; t++) {
                    KernelBackend kb = t == 0 ? ref : test;
                    st[t] = new Tensor[] {Tensor.zeros(b, nh, dh), Tensor.zeros(b, nh, dh), Tensor.zeros(b, nh, dh), Tensor.zeros(b, nh, dh)};
                    h[t] = Tensor.zeros(b, nh, steps, dh);
                    Tensor[] in = new Tensor[4];
                    for (int g = 0; g < 4; g++) in[g] = step ? first(x[g]) : x[g];
                    if (slstm && step) {
                        kb.slstmStep(b, nh, dh, d(in[0]), d(in[1]), d(in[2]), d(in[3]), d(rw[0]), d(rw[1]), d(rw[2]), d(rw[3]),
                                d(bias[0]), d(bias[1]), d(bias[2]), d(bias[3]), d(st[t][0]), d(st[t][1]), d(st[t][2]), d(st[t][3]), d(h[t]));
                    } else if (slstm) {
                        kb.slstmSequence(b, nh, s, dh, d(in[0]), d(in[1]), d(in[2]), d(in[3]), d(rw[0]), d(rw[1]), d(rw[2]), d(rw[3]),
                                d(bias[0]), d(bias[1]), d(bias[2]), d(bias[3]), d(st[t][0]), d(st[t][1]), d(st[t][2]), d(st[t][3]), d(h[t]));
                    } else if (step) {
                        kb.lstmStep(b, nh, dh, d(in[0]), d(in[1]), d(in[2]), d(in[3]), d(rw[0]), d(rw[1]), d(rw[2]), d(rw[3]),
                                d(bias[0]), d(bias[1]), d(bias[2]), d(bias[3]), d(st[t][0]), d(st[t][1]), d(h[t]));
                    } else {
                        kb.lstmSequence(b, nh, s, dh, d(in[0]), d(in[1]), d(in[2]), d(in[3]), d(rw[0]), d(rw[1]), d(rw[2]), d(rw[3]),
                                d(bias[0]), d(bias[1]), d(bias[2]), d(bias[3]), d(st[t][0]), d(st[t][1]), d(h[t]));
                    }
                }
                String what = (slstm ? "slstm" : "lstm") + (step ? " step" : " sequence");
                close(what + " h " + shape, h[0], h[1]);
                for (int j = 0; j < (slstm ? 4 : 2); j++) close(what + " state " + j + " " + shape, st[0][j], st[1][j]);
            }
        }
    }

    private void pointwise(int rows, int n) {
        String shape = "[rows=" + rows + " N=" + n + "]";
        Tensor a = rand(4, 0, rows, n), bb = rand(4, 0, rows, n), c = rand(4, 0, rows, n), skip = rand(1, 0, n);
        Tensor[] y = {Tensor.zeros(rows, n), Tensor.zeros(rows, n)};
        for (int t = 0; t < 2; t++) (t == 0 ? ref : test).softcapRows(rows, n, d(a), d(y[t]), 3f);
        close("softcap_rows " + shape, y[0], y[1]);
        for (int t = 0; t < 2; t++) (t == 0 ? ref : test).siluRows(rows, n, d(a), d(y[t]));
        close("silu_rows " + shape, y[0], y[1]);
        for (int t = 0; t < 2; t++) (t == 0 ? ref : test).sigmoidGate(rows, n, d(a), d(bb), d(y[t]));
        close("sigmoid_gate " + shape, y[0], y[1]);
        for (int t = 0; t < 2; t++) (t == 0 ? ref : test).mlstmSkipGate(rows, n, d(a), d(bb), d(c), d(skip), d(y[t]));
        close("mlstm_skip_gate " + shape, y[0], y[1]);
        for (ActivationFn act : ActivationFn.values()) {
            for (int t = 0; t < 2; t++) (t == 0 ? ref : test).gatedActivation(act, rows, n, d(a), d(bb), d(y[t]));
            close("ffn " + act + " " + shape, y[0], y[1]);
        }
    }
}
