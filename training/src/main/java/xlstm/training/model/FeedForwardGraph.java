package xlstm.training.model;

import xlstm.runtime.config.FeedForwardConfig;
import xlstm.training.Parameter;
import xlstm.training.autograd.LayoutOps;
import xlstm.training.autograd.LinearOps;
import xlstm.training.autograd.PointwiseOps;
import xlstm.training.autograd.Tape;
import xlstm.training.autograd.Var;

/** The original architecture's gated feed-forward (SPEC §3.1): {@code proj_down(act(gate)·up)}, fused proj_up. */
final class FeedForwardGraph {
    private final FeedForwardConfig cfg;
    private final int p;
    private final Parameter upW, upB, downW, downB;

    /** {@code prefix} ends at the module ({@code ...ffn.}). */
    FeedForwardGraph(FeedForwardConfig cfg, int e, ParameterSet w, String prefix) {
        this.cfg = cfg;
        p = cfg.projUpDim();
        upW = w.take(prefix + "proj_up.weight", 2L * p, e);
        upB = cfg.bias() ? w.take(prefix + "proj_up.bias", 2L * p) : null;
        downW = w.take(prefix + "proj_down.weight", e, p);
        downB = cfg.bias() ? w.take(prefix + "proj_down.bias", e) : null;
    }

    Var forward(Tape t, Var x) {
        Var up = t.param(upW), upBias = t.param(upB);
        Var g = LinearOps.linear(t, x, LayoutOps.rows(t, up, 0, p), upBias == null ? null : LayoutOps.rows(t, upBias, 0, p));
        Var u = LinearOps.linear(t, x, LayoutOps.rows(t, up, p, 2L * p),
                upBias == null ? null : LayoutOps.rows(t, upBias, p, 2L * p));
        return LinearOps.linear(t, PointwiseOps.gatedAct(t, cfg.activation(), g, u), t.param(downW), t.param(downB));
    }
}
