package xlstm.training.model;

import xlstm.runtime.UserError;
import xlstm.runtime.config.FeedForwardConfig;
import xlstm.runtime.config.SlstmBlockConfig;
import xlstm.runtime.config.SlstmLayerConfig;
import xlstm.training.Parameter;
import xlstm.training.autograd.ConvOps;
import xlstm.training.autograd.LayoutOps;
import xlstm.training.autograd.LinearOps;
import xlstm.training.autograd.NormOps;
import xlstm.training.autograd.PointwiseOps;
import xlstm.training.autograd.SlstmCellOp;
import xlstm.training.autograd.Tape;
import xlstm.training.autograd.Var;

/**
 * A trainable sLSTM block of the original architecture (SPEC §2, §3.3), the computation of the runtime's
 * {@code SlstmBlock}: {@code x + groupnorm(cell(...))}, then {@code + FFN(LayerNorm(.))} when configured; the cell is
 * {@code slstm}, or {@code lstm} when the config's function says so. As there, the modules (fgate, igate, zgate, ogate) feed the cell's gate slots (i, f, z, o), and the stored recurrent kernel
 * and bias are gathered into the cell's per-gate layout (the gather's backward scatters their gradients back).
 */
final class SlstmBlockGraph implements BlockGraph {
    private static final float LN_EPS = 1e-5f;

    private final int nh, ks;
    private final boolean lstm; // function "lstm": the lstm cell on the same weights
    private final Parameter norm, convW, convB, recurrent, bias, groupNorm, ffnNorm;
    private final Parameter[] gateW = new Parameter[4]; // per cell slot i, f, z, o
    private final int[][] rIndex = new int[4][], bIndex = new int[4][];
    private final long[] rShape, bShape;
    private final FeedForwardGraph ffn;

    SlstmBlockGraph(SlstmBlockConfig cfg, ParameterSet w, String prefix) {
        SlstmLayerConfig c = cfg.slstm();
        lstm = switch (c.function()) {
            case "slstm" -> false;
            case "lstm" -> true;
            default -> throw new UserError("config option 'slstm_block.slstm.function': \"" + c.function()
                    + "\" is not supported (slstm or lstm)");
        };
        int e = c.embeddingDim();
        nh = c.numHeads();
        int dh = e / nh;
        ks = c.conv1dKernelSize();
        String l = prefix + "xlstm.";
        norm = w.take(prefix + "xlstm_norm.weight", e);
        convW = ks > 0 ? w.take(l + "conv1d.conv.weight", e, 1, ks) : null;
        convB = ks > 0 ? w.take(l + "conv1d.conv.bias", e) : null;
        String[] modules = {"fgate", "igate", "zgate", "ogate"}; // the reference's swapped names for slots i, f
        for (int g = 0; g < 4; g++) gateW[g] = w.take(l + modules[g] + ".weight", nh, dh, dh);
        boolean cuda = "cuda".equals(c.backend());
        recurrent = cuda ? w.take(l + "slstm_cell._recurrent_kernel_", nh, dh, 4L * dh)
                : w.take(l + "slstm_cell._recurrent_kernel_", nh, 4L * dh, dh);
        bias = w.take(l + "slstm_cell._bias_", 4L * e);
        for (int g = 0; g < 4; g++) {
            rIndex[g] = new int[nh * dh * dh];
            bIndex[g] = new int[nh * dh];
            for (int h = 0; h < nh; h++) {
                for (int j = 0; j < dh; j++) {
                    for (int i = 0; i < dh; i++) {
                        // as SlstmBlock: vanilla int[h, g*DH + j, i]; cuda int[h, i, g*DH + j]
                        rIndex[g][(h * dh + j) * dh + i] = cuda ? (h * dh + i) * 4 * dh + g * dh + j
                                : (h * 4 * dh + g * dh + j) * dh + i;
                    }
                    bIndex[g][h * dh + j] = cuda ? h * 4 * dh + g * dh + j : g * e + h * dh + j;
                }
            }
        }
        rShape = new long[] {nh, dh, dh};
        bShape = new long[] {nh, dh};
        groupNorm = c.groupNormWeight() ? w.take(l + "group_norm.weight", e) : null;
        FeedForwardConfig fc = cfg.feedforward();
        ffnNorm = fc != null ? w.take(prefix + "ffn_norm.weight", e) : null;
        ffn = fc != null ? new FeedForwardGraph(fc, e, w, prefix + "ffn.") : null;
    }

    @Override
    public Var forward(Tape t, Var x) {
        Var xn = NormOps.groupNorm(t, x, 1, t.param(norm), null, LN_EPS, true);
        Var xc = ks > 0 ? PointwiseOps.silu(t, ConvOps.causalConv1d(t, xn, t.param(convW), t.param(convB))) : xn;
        Var[] pre = new Var[4], r = new Var[4], b = new Var[4];
        Var rk = t.param(recurrent), bk = t.param(bias);
        for (int g = 0; g < 4; g++) {
            // i and f see the convolved input, z and o the normalised one
            pre[g] = LayoutOps.toHeads(t, LinearOps.headwise(t, g < 2 ? xc : xn, t.param(gateW[g]), null), nh);
            r[g] = LayoutOps.gather(t, rk, rIndex[g], rShape);
            b[g] = LayoutOps.gather(t, bk, bIndex[g], bShape);
        }
        Var h = SlstmCellOp.sequence(t, pre, r, b, lstm);
        Var out = PointwiseOps.add(t, NormOps.groupNorm(t, LayoutOps.fromHeads(t, h), nh, t.param(groupNorm), null,
                LN_EPS, true), x);
        if (ffn == null) return out;
        return PointwiseOps.add(t, ffn.forward(t, NormOps.groupNorm(t, out, 1, t.param(ffnNorm), null, LN_EPS, true)), out);
    }
}
