package xlstm.training.model;

import java.util.ArrayList;
import java.util.List;
import xlstm.runtime.UserError;
import xlstm.runtime.config.XlstmLargeConfig;
import xlstm.training.Parameter;
import xlstm.training.autograd.EmbeddingOps;
import xlstm.training.autograd.LinearOps;
import xlstm.training.autograd.NormOps;
import xlstm.training.autograd.PointwiseOps;
import xlstm.training.autograd.Tape;
import xlstm.training.autograd.Var;

/**
 * A trainable xLSTM Large (SPEC §4): embedding, blocks, optional out RMSNorm, {@code lm_head}, output logit soft
 * cap; every sequence starts from the zero state (the training forward of the reference).
 */
final class TrainableLarge extends TapeLanguageModel {
    private final Parameter embedding, outNorm, outNormB, head;
    private final List<LargeBlockGraph> blocks = new ArrayList<>();
    private final float normEps;
    private final Float logitCap;

    TrainableLarge(XlstmLargeConfig cfg, ParameterSet w) {
        super(w);
        int e = cfg.embeddingDim(), v = cfg.vocabSize();
        normEps = (float) cfg.normEps();
        embedding = w.take("embedding.weight", v, e);
        Float gateCap = cap(cfg.gateSoftCap());
        logitCap = cap(cfg.outputLogitSoftCap());
        for (int i = 0; i < cfg.numBlocks(); i++) {
            blocks.add(new LargeBlockGraph(cfg, w, "backbone.blocks." + i + ".", gateCap));
        }
        outNorm = cfg.addOutNorm() ? w.take("backbone.out_norm.weight", e) : null;
        outNormB = cfg.addOutNorm() && cfg.useBias() ? w.take("backbone.out_norm.bias", e) : null;
        head = w.take("lm_head.weight", v, e);
        w.checkAllUsed();
    }

    /** As the runtime: a cap {@code <= 0} means none (the config's encoding of the reference's None). */
    private static Float cap(double c) {
        return c > 0 && !Double.isInfinite(c) ? (float) c : null;
    }

    @Override
    Var forward(Tape t, int[][] ids) {
        if (ids.length == 0 || ids[0].length == 0) throw new UserError("input ids must have shape (B, S) with S >= 1");
        Var x = EmbeddingOps.lookup(t, ids, t.param(embedding));
        for (LargeBlockGraph b : blocks) x = b.forward(t, x);
        if (outNorm != null) x = NormOps.rmsNorm(t, x, t.param(outNorm), t.param(outNormB), normEps);
        return PointwiseOps.softcap(t, LinearOps.linear(t, x, t.param(head), null), logitCap);
    }
}
