package xlstm.runtime.backend;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import xlstm.runtime.config.ActivationFn;
import xlstm.runtime.tensor.Tensor;

/**
 * Every {@link KernelBackend} entry point on OpenCL against the Java kernels, on random inputs (including the
 * schedules the fixtures do not reach: step calls, mLSTMsig without normalisation, lstm, every activation). Skipped
 * with the reason when OpenCL is unavailable; a failure instead when {@code XLSTM_REQUIRE_TOOLCHAINS=1}.
 */
class OpenClKernelsTest {
    static final KernelBackend JAVA = JavaKernels.INSTANCE;
    KernelBackend cl;

    /** Per test, so that each one is reported as skipped (or failed) on its own, never as not run. */
    @BeforeEach
    void requireOpenCl() {
        KernelBackends.Status s = KernelBackends.status("opencl");
        if (!s.available()) {
            String why = "OpenCL backend unavailable: " + s.device().reason();
            if ("1".equals(System.getenv("XLSTM_REQUIRE_TOOLCHAINS"))) fail("XLSTM_REQUIRE_TOOLCHAINS=1 but " + why);
            System.err.println("SKIPPED OpenClKernelsTest: " + why);
            Assumptions.abort(why);
        }
        cl = KernelBackends.get("opencl");
    }

    final SplittableRandom rnd = new SplittableRandom(7);

    Tensor rand(float scale, float offset, long... shape) {
        Tensor t = Tensor.zeros(shape);
        for (long j = 0; j < t.numel(); j++) t.setFloat(j, (float) (offset + scale * (2 * rnd.nextDouble() - 1)));
        return t;
    }

    static MemorySegment d(Tensor t) { return t.data(); }

    /** Time step 0 of (B, NH, S, D...) as (B, NH, D...). */
    static Tensor first(Tensor x) {
        long bnh = x.dim(0) * x.dim(1), s = x.dim(2), d = x.numel() / (bnh * s);
        long[] shape = x.rank() == 3 ? new long[] {x.dim(0), x.dim(1)} : new long[] {x.dim(0), x.dim(1), x.dim(3)};
        Tensor y = Tensor.zeros(shape);
        for (long r = 0; r < bnh; r++) MemorySegment.copy(x.data(), r * s * d * 4, y.data(), r * d * 4, d * 4);
        return y;
    }

    static void close(String what, Tensor ref, Tensor got) {
        double maxRef = 0, err = 0;
        for (long j = 0; j < ref.numel(); j++) {
            maxRef = Math.max(maxRef, Math.abs(ref.getFloat(j)));
            err = Math.max(err, Math.abs(ref.getFloat(j) - got.getFloat(j)));
        }
        assertTrue(err <= 1e-5 + 2e-4 * maxRef && !Double.isNaN(err), what + ": max|opencl - java| = " + err
                + " (max|java| = " + maxRef + ")");
    }

    /** mlstm and mlstm_sig, every schedule, from a random state, S not a multiple of the chunk. */
    @Test
    void mlstmCellsMatchJava() {
        int b = 2, nh = 2, s = 11, dqk = 8, dv = 6;
        Tensor q = rand(1, 0, b, nh, s, dqk), k = rand(1, 0, b, nh, s, dqk), v = rand(1, 0, b, nh, s, dv);
        Tensor i = rand(2, 0, b, nh, s), f = rand(2, 2, b, nh, s);
        Tensor c0 = rand(0.5f, 0, b, nh, dqk, dv), n0 = rand(0.5f, 0, b, nh, dqk), m0 = rand(0.5f, 0, b, nh);
        for (String sched : new String[] {"sequence", "chunkwise", "parallel", "step"}) {
            Tensor[] r = {c0.copy(), n0.copy(), m0.copy(), Tensor.zeros(b, nh, s, dv)};
            Tensor[] o = {c0.copy(), n0.copy(), m0.copy(), Tensor.zeros(b, nh, s, dv)};
            for (int t = 0; t < 2; t++) {
                KernelBackend kb = t == 0 ? JAVA : cl;
                Tensor[] x = t == 0 ? r : o;
                switch (sched) {
                    case "sequence" -> kb.mlstmSequence(b, nh, s, dqk, dv, d(q), d(k), d(v), d(i), d(f), d(x[0]), d(x[1]), d(x[2]), d(x[3]), 1e-6f);
                    case "chunkwise" -> kb.mlstmChunkwise(b, nh, s, dqk, dv, 4, d(q), d(k), d(v), d(i), d(f), d(x[0]), d(x[1]), d(x[2]), d(x[3]), 1e-6f);
                    case "parallel" -> kb.mlstmParallel(b, nh, s, dqk, dv, d(q), d(k), d(v), d(i), d(f), d(x[3]), 1e-6f);
                    default -> {
                        Tensor h1 = Tensor.zeros(b, nh, dv);
                        kb.mlstmStep(b, nh, dqk, dv, d(first(q)), d(first(k)),
                                d(first(v)), d(first(i)), d(first(f)),
                                d(x[0]), d(x[1]), d(x[2]), d(h1), 1e-6f);
                        x[3] = h1;
                    }
                }
            }
            for (int j = 0; j < 4; j++) close("mlstm " + sched + " " + "Cnmh".charAt(j), r[j], o[j]);
        }
        for (boolean normalize : new boolean[] {true, false}) {
            for (String sched : new String[] {"sequence", "chunkwise", "parallel", "step"}) {
                Tensor[] r = {c0.copy(), n0.copy(), Tensor.zeros(b, nh, s, dv)};
                Tensor[] o = {c0.copy(), n0.copy(), Tensor.zeros(b, nh, s, dv)};
                for (int t = 0; t < 2; t++) {
                    KernelBackend kb = t == 0 ? JAVA : cl;
                    Tensor[] x = t == 0 ? r : o;
                    switch (sched) {
                        case "sequence" -> kb.mlstmSigSequence(b, nh, s, dqk, dv, d(q), d(k), d(v), d(i), d(f), d(x[0]), d(x[1]), d(x[2]), 1e-6f, normalize);
                        case "chunkwise" -> kb.mlstmSigChunkwise(b, nh, s, dqk, dv, 4, d(q), d(k), d(v), d(i), d(f), d(x[0]), d(x[1]), d(x[2]), 1e-6f, normalize);
                        case "parallel" -> kb.mlstmSigParallel(b, nh, s, dqk, dv, d(q), d(k), d(v), d(i), d(f), d(x[2]), 1e-6f, normalize);
                        default -> {
                            Tensor h1 = Tensor.zeros(b, nh, dv);
                            kb.mlstmSigStep(b, nh, dqk, dv, d(first(q)), d(first(k)),
                                    d(first(v)), d(first(i)), d(first(f)),
                                    d(x[0]), d(x[1]), d(h1), 1e-6f, normalize);
                            x[2] = h1;
                        }
                    }
                }
                for (int j = 0; j < 3; j++) close("mlstm_sig " + sched + " normalize=" + normalize + " " + "Cnh".charAt(j), r[j], o[j]);
            }
        }
    }

    /** slstm (whose first step is decided over the whole batch) and lstm, sequence and step. */
    @Test
    void recurrentCellsMatchJava() {
        int b = 3, nh = 2, s = 6, dh = 5;
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
                    KernelBackend kb = t == 0 ? JAVA : cl;
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
                close(what + " h", h[0], h[1]);
                for (int j = 0; j < (slstm ? 4 : 2); j++) close(what + " state " + j, st[0][j], st[1][j]);
            }
        }
    }

    @Test
    void pointwiseKernelsMatchJava() {
        for (int n : new int[] {8, 10, 1}) {
            int rows = 5;
            Tensor a = rand(4, 0, rows, n), bb = rand(4, 0, rows, n), c = rand(4, 0, rows, n), skip = rand(1, 0, n);
            Tensor[] y = {Tensor.zeros(rows, n), Tensor.zeros(rows, n)};
            for (int t = 0; t < 2; t++) (t == 0 ? JAVA : cl).softcapRows(rows, n, d(a), d(y[t]), 3f);
            close("softcap_rows N=" + n, y[0], y[1]);
            for (int t = 0; t < 2; t++) (t == 0 ? JAVA : cl).siluRows(rows, n, d(a), d(y[t]));
            close("silu_rows N=" + n, y[0], y[1]);
            for (int t = 0; t < 2; t++) (t == 0 ? JAVA : cl).sigmoidGate(rows, n, d(a), d(bb), d(y[t]));
            close("sigmoid_gate N=" + n, y[0], y[1]);
            for (int t = 0; t < 2; t++) (t == 0 ? JAVA : cl).mlstmSkipGate(rows, n, d(a), d(bb), d(c), d(skip), d(y[t]));
            close("mlstm_skip_gate N=" + n, y[0], y[1]);
            for (ActivationFn act : ActivationFn.values()) {
                for (int t = 0; t < 2; t++) (t == 0 ? JAVA : cl).gatedActivation(act, rows, n, d(a), d(bb), d(y[t]));
                close("ffn " + act + " N=" + n, y[0], y[1]);
            }
        }
    }
}
