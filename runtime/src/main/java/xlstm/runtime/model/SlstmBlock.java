package xlstm.runtime.model;

import java.lang.foreign.MemorySegment;
import xlstm.runtime.UserError;
import xlstm.runtime.config.FeedForwardConfig;
import xlstm.runtime.config.SlstmBlockConfig;
import xlstm.runtime.config.SlstmLayerConfig;
import xlstm.runtime.ops.CpuOps;
import xlstm.runtime.tensor.Tensor;

/**
 * An sLSTM block of the original architecture (SPEC §2, §3.3): {@code x + sLSTMLayer(LayerNorm(x))}, then
 * {@code x + FFN(LayerNorm(x))} when the block has a feed-forward.
 *
 * <p>Gate slots (i, f, z, o) come from the modules (fgate, igate, zgate, ogate) — the reference's swapped
 * names — with i/f on the convolved input and z/o on the normalised input. The recurrent kernel and bias are
 * converted at load from the backend's storage layout (SPEC §2.5) to the cell's per-gate layout: {@code R_g[h]}
 * is a (DH_out, DH_in) matrix used as {@code R_g[h] · y}, {@code b_g} is (NH, DH).
 *
 * <p>{@code function="slstm"} runs the generated {@code slstm} cell (vanilla first-step rule);
 * {@code function="lstm"} runs the generated {@code lstm} cell (cells/lstm.xl) with the same weights; both on the
 * model's kernel backend.
 */
final class SlstmBlock implements Block {
    private static final float LN_EPS = 1e-5f;

    private final int e, nh, dh, ks;
    private final boolean lstm;                   // function "lstm": sigmoid gates, states (y, c) only
    private final Tensor normW, convW, convB;
    private final Tensor wi, wf, wz, wo;          // headwise (NH, DH, DH)
    private final Tensor[] r = new Tensor[4];     // per gate (NH, DH_out, DH_in)
    private final Tensor[] bias = new Tensor[4];  // per gate (NH, DH)
    private final Tensor groupNormW;              // null when group_norm_weight is false
    private final Tensor ffnNormW;
    private final GatedFeedForward ffn;
    private final Kernels kernels;

    SlstmBlock(SlstmBlockConfig cfg, Weights w, Kernels kernels) {
        this.kernels = kernels;
        SlstmLayerConfig c = cfg.slstm();
        lstm = switch (c.function()) {
            case "slstm" -> false;
            case "lstm" -> true;
            default -> throw new UserError("config option 'slstm_block.slstm.function': \"" + c.function()
                    + "\" is not supported (slstm or lstm)");
        };
        e = c.embeddingDim();
        nh = c.numHeads();
        dh = e / nh;
        ks = c.conv1dKernelSize();
        normW = w.vector("xlstm_norm.weight", e);
        if (ks > 0) {
            convW = w.vector("xlstm.conv1d.conv.weight", e, 1, ks);
            convB = w.vector("xlstm.conv1d.conv.bias", e);
        } else {
            convW = null;
            convB = null;
        }
        wi = w.vector("xlstm.fgate.weight", nh, dh, dh); // module fgate feeds the input-gate slot
        wf = w.vector("xlstm.igate.weight", nh, dh, dh); // module igate feeds the forget-gate slot
        wz = w.vector("xlstm.zgate.weight", nh, dh, dh);
        wo = w.vector("xlstm.ogate.weight", nh, dh, dh);
        boolean cuda = "cuda".equals(c.backend());
        String rName = "xlstm.slstm_cell._recurrent_kernel_";
        Tensor rk = cuda ? w.vector(rName, nh, dh, 4L * dh) : w.vector(rName, nh, 4L * dh, dh);
        Tensor bk = w.vector("xlstm.slstm_cell._bias_", 4L * e);
        float[] rs = rk.toFloatArray(), bs = bk.toFloatArray();
        for (int g = 0; g < 4; g++) {
            float[] rg = new float[nh * dh * dh];
            float[] bg = new float[nh * dh];
            for (int h = 0; h < nh; h++) {
                for (int j = 0; j < dh; j++) {
                    for (int i = 0; i < dh; i++) {
                        // vanilla: int[h, g*DH + j, i]; cuda: int[h, i, g*DH + j]; both = R[h, i_in, g, j_out]
                        int src = cuda ? (h * dh + i) * 4 * dh + g * dh + j : (h * 4 * dh + g * dh + j) * dh + i;
                        rg[(h * dh + j) * dh + i] = rs[src];
                    }
                    // vanilla bias gate-major g*H + h*DH + j; cuda head-major h*4*DH + g*DH + j
                    bg[h * dh + j] = bs[cuda ? h * 4 * dh + g * dh + j : g * e + h * dh + j];
                }
            }
            r[g] = Tensor.of(rg, nh, dh, dh);
            bias[g] = Tensor.of(bg, nh, dh);
        }
        groupNormW = c.groupNormWeight() ? w.vector("xlstm.group_norm.weight", e) : null;
        FeedForwardConfig fc = cfg.feedforward();
        if (fc != null) {
            ffnNormW = w.vector("ffn_norm.weight", e);
            ffn = new GatedFeedForward(fc, e, w.at("ffn."), kernels);
        } else {
            ffnNormW = null;
            ffn = null;
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        int b = Math.toIntExact(x.dim(0));
        State st = (State) newState(b);
        return run(x, st, false);
    }

    @Override
    public BlockState newState(int batch) {
        return new State(ks > 0 ? Tensor.zeros(batch, ks, e) : null, Tensor.zeros(batch, nh, dh),
                Tensor.zeros(batch, nh, dh), Tensor.zeros(batch, nh, dh), Tensor.zeros(batch, nh, dh));
    }

    @Override
    public Tensor step(Tensor x, BlockState state) {
        return run(x, (State) state, true);
    }

    private Tensor run(Tensor x, State st, boolean step) {
        int b = Math.toIntExact(x.dim(0)), s = Math.toIntExact(x.dim(1));
        Tensor xn = CpuOps.layerNorm(x, normW, null, LN_EPS, true);
        Tensor xc;
        if (ks > 0) {
            xc = kernels.silu(step ? CpuOps.conv1dStep(xn, st.conv, convW, convB)
                    : CpuOps.conv1d(xn, convW, convB));
        } else {
            xc = xn;
        }
        Tensor xi = CpuOps.toHeads(CpuOps.headwiseLinear(xc, wi, null), nh);
        Tensor xf = CpuOps.toHeads(CpuOps.headwiseLinear(xc, wf, null), nh);
        Tensor xz = CpuOps.toHeads(CpuOps.headwiseLinear(xn, wz, null), nh);
        Tensor xo = CpuOps.toHeads(CpuOps.headwiseLinear(xn, wo, null), nh);
        Tensor h = Tensor.zeros(b, nh, s, dh);
        if (lstm) {
            kernels.backend().lstmSequence(b, nh, s, dh, xi.data(), xf.data(), xz.data(), xo.data(),
                    r[0].data(), r[1].data(), r[2].data(), r[3].data(),
                    bias[0].data(), bias[1].data(), bias[2].data(), bias[3].data(),
                    st.y.data(), st.c.data(), h.data());
        } else {
            kernels.backend().slstmSequence(b, nh, s, dh, xi.data(), xf.data(), xz.data(), xo.data(),
                    r[0].data(), r[1].data(), r[2].data(), r[3].data(),
                    bias[0].data(), bias[1].data(), bias[2].data(), bias[3].data(),
                    st.y.data(), st.c.data(), st.n.data(), st.m.data(), h.data());
        }
        Tensor out = CpuOps.multiHeadLayerNorm(CpuOps.fromHeads(h), nh, groupNormW, null, LN_EPS, true);
        CpuOps.addInPlace(out, x);
        if (ffn != null) {
            Tensor f = ffn.forward(CpuOps.layerNorm(out, ffnNormW, null, LN_EPS, true));
            CpuOps.addInPlace(out, f);
        }
        return out;
    }

    /** Step state: conv window (B,KS,E) (null without convolution) and the cell states y, c, n, m (B,NH,DH). */
    record State(Tensor conv, Tensor y, Tensor c, Tensor n, Tensor m) implements BlockState {}
}
