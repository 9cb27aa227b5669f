package xlstm.runtime.model;

import xlstm.runtime.config.ActivationFn;
import xlstm.runtime.config.FeedForwardConfig;
import xlstm.runtime.ops.CpuOps;
import xlstm.runtime.tensor.Tensor;

/** The original architecture's gated feed-forward (SPEC §3.1): {@code proj_down(act(gate) * up)}. */
final class GatedFeedForward {
    private final ActivationFn act;
    private final Tensor gateW, gateB, upW, upB, downW, downB;
    private final Kernels kernels;

    /** {@code w} is positioned at the module ({@code ...ffn.}). */
    GatedFeedForward(FeedForwardConfig cfg, int e, Weights w, Kernels kernels) {
        this.kernels = kernels;
        act = cfg.activation();
        int p = cfg.projUpDim();
        Tensor up = w.matrix("proj_up.weight", 2L * p, e);
        gateW = up.narrow0(0, p);
        upW = up.narrow0(p, 2L * p);
        Tensor upBias = cfg.bias() ? w.vector("proj_up.bias", 2L * p) : null;
        gateB = upBias == null ? null : upBias.narrow0(0, p);
        upB = upBias == null ? null : upBias.narrow0(p, 2L * p);
        downW = w.matrix("proj_down.weight", e, p);
        downB = cfg.bias() ? w.vector("proj_down.bias", e) : null;
    }

    Tensor forward(Tensor x) {
        Tensor g = CpuOps.linear(x, gateW, gateB);
        Tensor u = CpuOps.linear(x, upW, upB);
        return CpuOps.linear(kernels.gatedAct(act, g, u), downW, downB);
    }
}
