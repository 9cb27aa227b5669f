package xlstm.training.model;

import java.util.ArrayList;
import java.util.List;
import xlstm.runtime.config.BlockStackConfig;
import xlstm.runtime.config.MlstmBlockConfig;
import xlstm.runtime.config.SlstmBlockConfig;
import xlstm.runtime.config.XlstmBlockConfig;
import xlstm.training.Parameter;
import xlstm.training.autograd.NormOps;
import xlstm.training.autograd.Tape;
import xlstm.training.autograd.Var;

/** {@code xLSTMBlockStack} (SPEC §3.4) on the tape: the blocks in {@code slstm_at} order, then the post-blocks norm. */
final class BlockStackGraph {
    private static final float LN_EPS = 1e-5f;

    private final List<BlockGraph> blocks = new ArrayList<>();
    private final Parameter postNorm;

    /** Takes the stack's parameters under {@code prefix} ({@code ""} alone, {@code "xlstm_block_stack."} in a model). */
    BlockStackGraph(BlockStackConfig cfg, ParameterSet w, String prefix) {
        for (int i = 0; i < cfg.numBlocks(); i++) {
            XlstmBlockConfig bc = cfg.block(i);
            String bp = prefix + "blocks." + i + ".";
            if (bc instanceof MlstmBlockConfig mc) blocks.add(new MlstmBlockGraph(mc, w, bp));
            else if (bc instanceof SlstmBlockConfig sc) blocks.add(new SlstmBlockGraph(sc, w, bp));
            else throw new IllegalStateException("unknown block config " + bc);
        }
        postNorm = cfg.addPostBlocksNorm() ? w.take(prefix + "post_blocks_norm.weight", cfg.embeddingDim()) : null;
    }

    Var forward(Tape t, Var x) {
        Var h = x;
        for (BlockGraph b : blocks) h = b.forward(t, h);
        return postNorm == null ? h : NormOps.groupNorm(t, h, 1, t.param(postNorm), null, LN_EPS, true);
    }
}
