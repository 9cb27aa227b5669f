package xlstm.training.model;

import xlstm.runtime.config.ActivationFn;
import xlstm.runtime.config.XlstmLargeConfig;
import xlstm.training.Parameter;
import xlstm.training.autograd.LayoutOps;
import xlstm.training.autograd.LinearOps;
import xlstm.training.autograd.MlstmCellOp;
import xlstm.training.autograd.NormOps;
import xlstm.training.autograd.PointwiseOps;
import xlstm.training.autograd.Tape;
import xlstm.training.autograd.Var;

/**
 * One trainable xLSTM Large block (SPEC §4), the computation of the runtime's {@code XlstmLarge} block: pre-RMSNorm
 * mLSTM layer (q, k, v, output gate, soft-capped input/forget gates, multi-head norm) and pre-RMSNorm SwiGLU
 * feed-forward, both residual. Weight mode "fused" reads the fused matrices and slices them on the tape, so their
 * gradients land in the fused parameters.
 */
final class LargeBlockGraph implements BlockGraph {
    private final int nh, dqk, dv, p;
    private final float normEps, cellEps;
    private final Float gateCap;
    private final boolean fused;
    private final Parameter normM, normMB, normF, normFB;
    private final Parameter qkvo, qkvoB, ifW, ifB;                // fused
    private final Parameter qW, qB, kW, kB, vW, vB, oW, oB;       // single
    private final Parameter igW, igB, fgW, fgB, gateW, gateB, upW, upB;
    private final Parameter gateUp, gateUpB;                     // fused
    private final Parameter mhn, mhnB, outW, outB, downW, downB;

    LargeBlockGraph(XlstmLargeConfig cfg, ParameterSet w, String prefix, Float gateCap) {
        int e = cfg.embeddingDim();
        nh = cfg.numHeads();
        dqk = cfg.qkDim();
        dv = cfg.vDim();
        p = cfg.ffnUpProjDim();
        normEps = (float) cfg.normEps();
        cellEps = (float) cfg.eps();
        this.gateCap = gateCap;
        fused = cfg.fused();
        boolean bias = cfg.useBias();
        String l = prefix + "mlstm_layer.";
        normM = w.take(prefix + "norm_mlstm.weight", e);
        normMB = bias ? w.take(prefix + "norm_mlstm.bias", e) : null;
        normF = w.take(prefix + "norm_ffn.weight", e);
        normFB = bias ? w.take(prefix + "norm_ffn.bias", e) : null;
        if (fused) {
            long rows = 2L * dqk + 2L * dv;
            qkvo = w.take(l + "qkv_opreact.weight", rows, e);
            qkvoB = bias ? w.take(l + "qkv_opreact.bias", rows) : null;
            ifW = w.take(l + "ifgate_preact.weight", 2L * nh, e);
            ifB = w.take(l + "ifgate_preact.bias", 2L * nh);
            gateUp = w.take(prefix + "ffn.proj_up_gate_z.weight", 2L * p, e);
            gateUpB = bias ? w.take(prefix + "ffn.proj_up_gate_z.bias", 2L * p) : null;
            qW = qB = kW = kB = vW = vB = oW = oB = igW = igB = fgW = fgB = gateW = gateB = upW = upB = null;
        } else {
            qW = w.take(l + "q.weight", dqk, e);
            qB = bias ? w.take(l + "q.bias", dqk) : null;
            kW = w.take(l + "k.weight", dqk, e);
            kB = bias ? w.take(l + "k.bias", dqk) : null;
            vW = w.take(l + "v.weight", dv, e);
            vB = bias ? w.take(l + "v.bias", dv) : null;
            oW = w.take(l + "ogate_preact.weight", dv, e);
            oB = bias ? w.take(l + "ogate_preact.bias", dv) : null;
            igW = w.take(l + "igate_preact.weight", nh, e);
            igB = w.take(l + "igate_preact.bias", nh);
            fgW = w.take(l + "fgate_preact.weight", nh, e);
            fgB = w.take(l + "fgate_preact.bias", nh);
            gateW = w.take(prefix + "ffn.proj_up_gate.weight", p, e);
            gateB = bias ? w.take(prefix + "ffn.proj_up_gate.bias", p) : null;
            upW = w.take(prefix + "ffn.proj_up.weight", p, e);
            upB = bias ? w.take(prefix + "ffn.proj_up.bias", p) : null;
            qkvo = qkvoB = ifW = ifB = gateUp = gateUpB = null;
        }
        mhn = w.take(l + "multihead_norm.weight", dv);
        mhnB = bias ? w.take(l + "multihead_norm.bias", dv) : null;
        outW = w.take(l + "out_proj.weight", e, dv);
        outB = bias ? w.take(l + "out_proj.bias", e) : null;
        downW = w.take(prefix + "ffn.proj_down.weight", e, p);
        downB = bias ? w.take(prefix + "ffn.proj_down.bias", e) : null;
    }

    @Override
    public Var forward(Tape t, Var x) {
        Var xn = NormOps.rmsNorm(t, x, t.param(normM), t.param(normMB), normEps);
        Var[] w = new Var[6], b = new Var[6]; // q, k, v, o, igate, fgate
        if (fused) {
            long[] at = {0, dqk, 2L * dqk, 2L * dqk + dv, 2L * dqk + 2L * dv};
            for (int j = 0; j < 4; j++) {
                w[j] = LayoutOps.rows(t, t.param(qkvo), at[j], at[j + 1]);
                b[j] = qkvoB == null ? null : LayoutOps.rows(t, t.param(qkvoB), at[j], at[j + 1]);
            }
            for (int j = 0; j < 2; j++) {
                w[4 + j] = LayoutOps.rows(t, t.param(ifW), (long) j * nh, (long) (j + 1) * nh);
                b[4 + j] = LayoutOps.rows(t, t.param(ifB), (long) j * nh, (long) (j + 1) * nh);
            }
        } else {
            Parameter[] ws = {qW, kW, vW, oW, igW, fgW}, bs = {qB, kB, vB, oB, igB, fgB};
            for (int j = 0; j < 6; j++) {
                w[j] = t.param(ws[j]);
                b[j] = t.param(bs[j]);
            }
        }
        Var q = LinearOps.linear(t, xn, w[0], b[0]);
        Var k = LinearOps.linear(t, xn, w[1], b[1]);
        Var v = LinearOps.linear(t, xn, w[2], b[2]);
        Var o = LinearOps.linear(t, xn, w[3], b[3]);
        Var ig = LayoutOps.gatesToHeads(t, PointwiseOps.softcap(t, LinearOps.linear(t, xn, w[4], b[4]), gateCap));
        Var fg = LayoutOps.gatesToHeads(t, PointwiseOps.softcap(t, LinearOps.linear(t, xn, w[5], b[5]), gateCap));
        Var h = MlstmCellOp.sequence(t, LayoutOps.toHeads(t, q, nh), LayoutOps.toHeads(t, k, nh),
                LayoutOps.toHeads(t, v, nh), ig, fg, cellEps);
        Var hn = NormOps.groupNorm(t, LayoutOps.fromHeads(t, h), nh, t.param(mhn), t.param(mhnB), normEps, false);
        Var y = PointwiseOps.add(t, LinearOps.linear(t, PointwiseOps.sigmoidGate(t, o, hn), t.param(outW),
                t.param(outB)), x);
        Var yn = NormOps.rmsNorm(t, y, t.param(normF), t.param(normFB), normEps);
        Var gw, gb, uw, ub;
        if (fused) {
            gw = LayoutOps.rows(t, t.param(gateUp), 0, p);
            uw = LayoutOps.rows(t, t.param(gateUp), p, 2L * p);
            gb = gateUpB == null ? null : LayoutOps.rows(t, t.param(gateUpB), 0, p);
            ub = gateUpB == null ? null : LayoutOps.rows(t, t.param(gateUpB), p, 2L * p);
        } else {
            gw = t.param(gateW);
            gb = t.param(gateB);
            uw = t.param(upW);
            ub = t.param(upB);
        }
        Var g = LinearOps.linear(t, yn, gw, gb);
        Var u = LinearOps.linear(t, yn, uw, ub);
        Var f = LinearOps.linear(t, PointwiseOps.gatedAct(t, ActivationFn.SWISH, g, u), t.param(downW), t.param(downB));
        return PointwiseOps.add(t, f, y);
    }
}
