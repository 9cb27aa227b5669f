package xlstm.training.model;

import xlstm.generated.MlstmCell;
import xlstm.runtime.config.MlstmBlockConfig;
import xlstm.runtime.config.MlstmLayerConfig;
import xlstm.training.Parameter;
import xlstm.training.autograd.ConvOps;
import xlstm.training.autograd.LayoutOps;
import xlstm.training.autograd.LinearOps;
import xlstm.training.autograd.MlstmCellOp;
import xlstm.training.autograd.NormOps;
import xlstm.training.autograd.PointwiseOps;
import xlstm.training.autograd.Tape;
import xlstm.training.autograd.Var;

/**
 * A trainable mLSTM block of the original architecture (SPEC §3.2), the computation of the runtime's
 * {@code MlstmBlock.forward} on the tape: {@code x + proj_down((outnorm(cell) + skip·xc)·silu(z))} with
 * {@code xc = silu(conv(x_mlstm))}, q/k from xc, v from x_mlstm, gates from concat(q, k, v).
 */
final class MlstmBlockGraph implements BlockGraph {
    private static final float LN_EPS = 1e-5f;

    private final int inner, nh, ks;
    private final Parameter norm, projUp, projUpBias, convW, convB, qW, qB, kW, kB, vW, vB;
    private final Parameter igW, igB, fgW, fgB, outnorm, skip, downW, downB;

    MlstmBlockGraph(MlstmBlockConfig cfg, ParameterSet w, String prefix) {
        MlstmLayerConfig c = cfg.mlstm();
        int e = c.embeddingDim();
        inner = c.innerEmbeddingDim();
        nh = c.numHeads();
        ks = c.conv1dKernelSize();
        int nhp = c.qkvProjHeads(), bs = c.qkvProjBlocksize();
        boolean bias = c.bias();
        String l = prefix + "xlstm.";
        norm = w.take(prefix + "xlstm_norm.weight", e);
        projUp = w.take(l + "proj_up.weight", 2L * inner, e);
        projUpBias = bias ? w.take(l + "proj_up.bias", 2L * inner) : null;
        convW = ks > 0 ? w.take(l + "conv1d.conv.weight", inner, 1, ks) : null;
        convB = ks > 0 ? w.take(l + "conv1d.conv.bias", inner) : null;
        qW = w.take(l + "q_proj.weight", nhp, bs, bs);
        qB = bias ? w.take(l + "q_proj.bias", inner) : null;
        kW = w.take(l + "k_proj.weight", nhp, bs, bs);
        kB = bias ? w.take(l + "k_proj.bias", inner) : null;
        vW = w.take(l + "v_proj.weight", nhp, bs, bs);
        vB = bias ? w.take(l + "v_proj.bias", inner) : null;
        igW = w.take(l + "mlstm_cell.igate.weight", nh, 3L * inner);
        igB = w.take(l + "mlstm_cell.igate.bias", nh);
        fgW = w.take(l + "mlstm_cell.fgate.weight", nh, 3L * inner);
        fgB = w.take(l + "mlstm_cell.fgate.bias", nh);
        outnorm = w.take(l + "mlstm_cell.outnorm.weight", inner);
        skip = w.take(l + "learnable_skip", inner);
        downW = w.take(l + "proj_down.weight", e, inner);
        downB = bias ? w.take(l + "proj_down.bias", e) : null;
    }

    @Override
    public Var forward(Tape t, Var x) {
        Var xn = NormOps.groupNorm(t, x, 1, t.param(norm), null, LN_EPS, true);
        Var up = t.param(projUp), upB = t.param(projUpBias);
        Var xm = LinearOps.linear(t, xn, LayoutOps.rows(t, up, 0, inner), upB == null ? null : LayoutOps.rows(t, upB, 0, inner));
        Var z = LinearOps.linear(t, xn, LayoutOps.rows(t, up, inner, 2L * inner),
                upB == null ? null : LayoutOps.rows(t, upB, inner, 2L * inner));
        Var xc = ks > 0 ? PointwiseOps.silu(t, ConvOps.causalConv1d(t, xm, t.param(convW), t.param(convB))) : xm;
        Var q = LinearOps.headwise(t, xc, t.param(qW), t.param(qB));
        Var k = LinearOps.headwise(t, xc, t.param(kW), t.param(kB));
        Var v = LinearOps.headwise(t, xm, t.param(vW), t.param(vB));
        Var qkv = LayoutOps.concatLast(t, q, k, v);
        Var ig = LayoutOps.gatesToHeads(t, LinearOps.linear(t, qkv, t.param(igW), t.param(igB)));
        Var fg = LayoutOps.gatesToHeads(t, LinearOps.linear(t, qkv, t.param(fgW), t.param(fgB)));
        Var h = MlstmCellOp.sequence(t, LayoutOps.toHeads(t, q, nh), LayoutOps.toHeads(t, k, nh),
                LayoutOps.toHeads(t, v, nh), ig, fg, MlstmCell.DEFAULT_EPS);
        Var hn = NormOps.groupNorm(t, LayoutOps.fromHeads(t, h), nh, t.param(outnorm), null, LN_EPS, true);
        Var hs = PointwiseOps.skipGate(t, hn, xc, z, t.param(skip));
        return PointwiseOps.add(t, LinearOps.linear(t, hs, t.param(downW), t.param(downB)), x);
    }
}
