package xlstm.training.model;

import xlstm.runtime.config.LmModelConfig;
import xlstm.training.Parameter;
import xlstm.training.autograd.EmbeddingOps;
import xlstm.training.autograd.LinearOps;
import xlstm.training.autograd.Tape;
import xlstm.training.autograd.Var;

/**
 * A trainable {@code xLSTMLMModel} (SPEC §3.4): token embedding, block stack, {@code lm_head}. With
 * {@code tie_weights} the head is the embedding matrix: one parameter ({@code token_embedding.weight}, or the
 * stored name when only {@code lm_head.weight} is given) that receives both gradients.
 */
final class TrainableLmModel extends TapeLanguageModel {
    private final Parameter embedding, head;
    private final BlockStackGraph stack;

    TrainableLmModel(LmModelConfig cfg, ParameterSet w) {
        super(w);
        int v = cfg.vocabSize(), e = cfg.embeddingDim();
        if (cfg.tieWeights()) {
            // safetensors keeps one name of a shared tensor: a tied checkpoint may hold either (or both)
            Parameter emb = w.takeOptional("token_embedding.weight", v, e);
            if (emb == null) emb = w.takeOptional("lm_head.weight", v, e);
            if (emb == null) emb = w.take("token_embedding.weight", v, e);
            w.accept("lm_head.weight");
            embedding = emb;
            head = emb;
        } else {
            embedding = w.take("token_embedding.weight", v, e);
            head = w.take("lm_head.weight", v, e);
        }
        stack = new BlockStackGraph(cfg.stack(), w, "xlstm_block_stack.");
        w.checkAllUsed();
    }

    @Override
    Var forward(Tape t, int[][] ids) {
        Var x = EmbeddingOps.lookup(t, ids, t.param(embedding));
        return LinearOps.linear(t, stack.forward(t, x), t.param(head), null);
    }
}
