package xlstm.runtime.verify;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import xlstm.runtime.UserError;
import xlstm.runtime.backend.KernelBackend;
import xlstm.runtime.config.ConfigNode;
import xlstm.runtime.tensor.Tensor;
import xlstm.generated.MlstmCell;
import xlstm.generated.MlstmSigCell;

/**
 * The cell kinds: the generated kernels of {@code cells/mlstm.xl} and {@code cells/mlstm_sig.xl} called on the
 * verifier's backend, on every schedule that can produce the reference's outputs.
 */
final class CellCases {
    /** The chunk size the chunkwise schedule is checked with (the reference's default for xLSTM Large's HF config). */
    static final int CHUNK = 16;

    private CellCases() {}

    /** Sizes of a cell case, read off q and v: q,k (B,NH,S,DQK), v (B,NH,S,DV), i,f (B,NH,S). */
    record Dims(int b, int nh, int s, int dqk, int dv) {
        long[] qk() { return new long[] {b, nh, s, dqk}; }
        long[] v() { return new long[] {b, nh, s, dv}; }
        long[] gate() { return new long[] {b, nh, s}; }
        long[] c() { return new long[] {b, nh, dqk, dv}; }
        long[] n() { return new long[] {b, nh, dqk}; }
        long[] m() { return new long[] {b, nh}; }
    }

    /** The inputs of a cell case, as fresh float32 tensors (q already carrying the case's query scale). */
    record Inputs(Dims d, Tensor q, Tensor k, Tensor v, Tensor i, Tensor f) {}

    static Inputs inputs(Fixture fx) {
        Tensor q0 = fx.tensor("q", -1, -1, -1, -1);
        Tensor v0 = fx.tensor("v", -1, -1, -1, -1);
        Dims d = new Dims(dim(q0, 0), dim(q0, 1), dim(q0, 2), dim(q0, 3), dim(v0, 3));
        checkConfigDims(fx, d);
        Tensor q = fx.f32("q", d.qk());
        scaleQuery(fx, q, d.dqk());
        return new Inputs(d, q, fx.f32("k", d.qk()), fx.f32("v", d.v()), fx.f32("i", d.gate()), fx.f32("f", d.gate()));
    }

    // ------------------------------------------------------------------ mlstm_cell

    /**
     * mLSTM with exponential input gate: the recurrent {@code sequence} schedule and the {@code chunkwise}
     * schedule (chunk {@value #CHUNK}, and a second size that does not divide S when 16 does, so the tail path
     * runs), each from the initial states when the case has them; compares h and the final states.
     */
    static void mlstm(KernelBackend kb, Fixture fx, List<Check> checks) {
        Inputs in = inputs(fx);
        Dims d = in.d();
        ConfigNode cfg = fx.config();
        float eps = (float) cfg.getDouble("eps", MlstmCell.DEFAULT_EPS);
        States init = initialStates(fx, d, true);

        States st = init.copy();
        Tensor h = Tensor.zeros(d.v());
        kb.mlstmSequence(d.b(), d.nh(), d.s(), d.dqk(), d.dv(), seg(in.q()), seg(in.k()), seg(in.v()),
                seg(in.i()), seg(in.f()), seg(st.c()), seg(st.n()), seg(st.m()), seg(h), eps);
        compare(fx, checks, "sequence", h, st);

        for (int chunk : chunkSizes(d.s(), cfg)) {
            st = init.copy();
            h = Tensor.zeros(d.v());
            kb.mlstmChunkwise(d.b(), d.nh(), d.s(), d.dqk(), d.dv(), chunk, seg(in.q()), seg(in.k()), seg(in.v()),
                    seg(in.i()), seg(in.f()), seg(st.c()), seg(st.n()), seg(st.m()), seg(h), eps);
            compare(fx, checks, "chunkwise:" + chunk, h, st);
        }
    }

    // ------------------------------------------------------------------ mlstm_siging_cell

    /**
     * mLSTMsig (sigmoid input gate), {@code normalize} from the config (default true). Without initial states the
     * reference is the parallel form, and so is the check; with initial states, or when the case also holds final
     * states, the sequence and chunkwise schedules run as well (the parallel form has no state in or out).
     */
    static void mlstmSig(KernelBackend kb, Fixture fx, List<Check> checks) {
        Inputs in = inputs(fx);
        Dims d = in.d();
        ConfigNode cfg = fx.config();
        float eps = (float) cfg.getDouble("eps", MlstmSigCell.DEFAULT_EPS);
        boolean normalize = cfg.getBool("normalize", MlstmSigCell.DEFAULT_NORMALIZE);
        States init = initialStates(fx, d, false);
        boolean stateful = init.given() || fx.has("c_last") || fx.has("n_last");

        if (!init.given()) {
            Tensor h = Tensor.zeros(d.v());
            kb.mlstmSigParallel(d.b(), d.nh(), d.s(), d.dqk(), d.dv(), seg(in.q()), seg(in.k()), seg(in.v()),
                    seg(in.i()), seg(in.f()), seg(h), eps, normalize);
            checks.add(Compare.tensors(fx.name(), "h[parallel]", h, fx.tensor("h"), fx.tolerance()));
        }
        if (!stateful) return;

        States st = init.copy();
        Tensor h = Tensor.zeros(d.v());
        kb.mlstmSigSequence(d.b(), d.nh(), d.s(), d.dqk(), d.dv(), seg(in.q()), seg(in.k()), seg(in.v()),
                seg(in.i()), seg(in.f()), seg(st.c()), seg(st.n()), seg(h), eps, normalize);
        compare(fx, checks, "sequence", h, st);
        for (int chunk : chunkSizes(d.s(), cfg)) {
            st = init.copy();
            h = Tensor.zeros(d.v());
            kb.mlstmSigChunkwise(d.b(), d.nh(), d.s(), d.dqk(), d.dv(), chunk, seg(in.q()), seg(in.k()),
                    seg(in.v()), seg(in.i()), seg(in.f()), seg(st.c()), seg(st.n()), seg(h), eps, normalize);
            compare(fx, checks, "chunkwise:" + chunk, h, st);
        }
    }

    // ------------------------------------------------------------------ shared

    /** The states a schedule runs from and leaves its final states in. {@code m} is null for mLSTMsig. */
    record States(Tensor c, Tensor n, Tensor m, boolean given) {
        States copy() {
            return new States(c.copy(), n.copy(), m == null ? null : m.copy(), given);
        }
    }

    /** {@code c_initial}, {@code n_initial}, {@code m_initial} when present (zeros for the missing ones). */
    static States initialStates(Fixture fx, Dims d, boolean withM) {
        boolean c0 = fx.has("c_initial"), n0 = fx.has("n_initial"), m0 = withM && fx.has("m_initial");
        Tensor c = c0 ? fx.f32("c_initial", d.c()) : Tensor.zeros(d.c());
        Tensor n = n0 ? fx.f32("n_initial", d.n()) : Tensor.zeros(d.n());
        Tensor m = !withM ? null : m0 ? fx.f32("m_initial", d.b(), d.nh(), 1).reshape(d.m()) : Tensor.zeros(d.m());
        return new States(c, n, m, c0 || n0 || m0);
    }

    /** Compares h and whichever final states the case holds, labelled {@code name[schedule]}. */
    private static void compare(Fixture fx, List<Check> checks, String schedule, Tensor h, States st) {
        Tolerance tol = fx.tolerance();
        checks.add(Compare.tensors(fx.name(), "h[" + schedule + "]", h, fx.tensor("h"), tol));
        if (fx.has("c_last")) checks.add(Compare.tensors(fx.name(), "c_last[" + schedule + "]", st.c(), fx.tensor("c_last"), tol));
        if (fx.has("n_last")) checks.add(Compare.tensors(fx.name(), "n_last[" + schedule + "]", st.n(), fx.tensor("n_last"), tol));
        if (st.m() != null && fx.has("m_last")) {
            checks.add(Compare.tensors(fx.name(), "m_last[" + schedule + "]", st.m(), fx.tensor("m_last"), tol));
        }
    }

    /**
     * {@value #CHUNK}; when that divides S, also the largest size below it that does not, so that a chunk tail is
     * always exercised; and the case's own {@code chunk_size} when it names one.
     */
    static List<Integer> chunkSizes(int s, ConfigNode cfg) {
        List<Integer> sizes = new ArrayList<>(List.of(CHUNK));
        if (s % CHUNK == 0) {
            for (int c = CHUNK - 1; c >= 2; c--) {
                if (s % c != 0) { sizes.add(c); break; }
            }
        }
        Integer own = cfg.getIntOrNull("chunk_size", null);
        if (own != null && own > 0 && !sizes.contains(own)) sizes.add(own);
        return sizes;
    }

    /**
     * The cells scale q by DQK^-0.5 inside (the reference's convention); a case whose {@code qk_scale} says
     * otherwise gets q pre-multiplied so the product is the case's scale.
     */
    private static void scaleQuery(Fixture fx, Tensor q, int dqk) {
        Double scale = fx.config().getDoubleOrNull("qk_scale", null);
        if (scale == null) return;
        double factor = scale * Math.sqrt(dqk);
        if (Math.abs(factor - 1) < 1e-9) return;
        for (long j = 0; j < q.numel(); j++) q.setFloat(j, (float) (q.getFloat(j) * factor));
    }

    /** The sizes in case.json's config, when given, must agree with the tensors. */
    private static void checkConfigDims(Fixture fx, Dims d) {
        ConfigNode cfg = fx.config();
        int[] actual = {d.b(), d.nh(), d.s(), d.dqk(), d.dv()};
        String[] keys = {"B", "NH", "S", "DQK", "DV"};
        for (int j = 0; j < keys.length; j++) {
            Integer v = cfg.getIntOrNull(keys[j], null);
            if (v != null && v != actual[j]) {
                throw new UserError(fx.file(Fixture.CASE_JSON) + ": config " + keys[j] + " = " + v
                        + " but io.safetensors has " + keys[j] + " = " + actual[j]);
            }
        }
    }

    private static int dim(Tensor t, int i) {
        return Math.toIntExact(t.dim(i));
    }

    private static MemorySegment seg(Tensor t) {
        return t.data();
    }
}
