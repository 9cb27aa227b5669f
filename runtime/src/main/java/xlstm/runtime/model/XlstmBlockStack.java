package xlstm.runtime.model;

import java.util.ArrayList;
import java.util.List;
import xlstm.runtime.UserError;
import xlstm.runtime.backend.KernelBackend;
import xlstm.runtime.backend.KernelBackends;
import xlstm.runtime.config.BlockStackConfig;
import xlstm.runtime.config.MlstmBlockConfig;
import xlstm.runtime.config.SlstmBlockConfig;
import xlstm.runtime.config.XlstmBlockConfig;
import xlstm.runtime.io.WeightStore;
import xlstm.runtime.ops.CpuOps;
import xlstm.runtime.tensor.Tensor;

/**
 * {@code xLSTMBlockStack} of the original architecture (SPEC §3.4): mLSTM and sLSTM blocks in the order of
 * {@code slstm_at}, then the optional post-blocks LayerNorm. Inference only (dropout is ignored).
 */
public final class XlstmBlockStack {
    private static final float LN_EPS = 1e-5f;

    private final int embeddingDim;
    private final List<Block> blocks;
    private final Tensor postNormW; // null without add_post_blocks_norm

    private XlstmBlockStack(int embeddingDim, List<Block> blocks, Tensor postNormW) {
        this.embeddingDim = embeddingDim;
        this.blocks = blocks;
        this.postNormW = postNormW;
    }

    /**
     * Builds the stack from {@code w}, reading the parameters under {@code prefix} ({@code ""} for a
     * stand-alone stack, {@code "xlstm_block_stack."} inside an LM model). A missing or mis-shaped tensor,
     * or an extra tensor under {@code prefix + "blocks."} (e.g. a bias the config does not have, a block
     * beyond {@code num_blocks}), is a {@link UserError} naming it.
     */
    public static XlstmBlockStack load(BlockStackConfig cfg, WeightStore w, String prefix) {
        return load(cfg, w, prefix, MlstmCellKernel.MLSTM);
    }

    /**
     * As {@link #load(BlockStackConfig, WeightStore, String)}, with {@code mlstmCell} as the cell of every mLSTM
     * layer instead of the project's mLSTM: a cell of the same interface, e.g. one of the user's own compiled by
     * {@code xlstm-maven-plugin} (see {@link MlstmCellKernel}). Weights and states are those of the mLSTM block.
     */
    public static XlstmBlockStack load(BlockStackConfig cfg, WeightStore w, String prefix, MlstmCellKernel mlstmCell) {
        return load(cfg, w, prefix, mlstmCell, KernelBackends.byDefault());
    }

    /**
     * As {@link #load(BlockStackConfig, WeightStore, String, MlstmCellKernel)}, running the cell and pointwise
     * kernels on {@code backend} (e.g. {@code KernelBackends.get("opencl")}; pass {@link MlstmCellKernel#MLSTM} for
     * the project's cell). The other forms use {@link KernelBackends#byDefault()} ({@code -Dxlstm.backend}, else the
     * best available backend). A user's own cell runs as it is; the backend then serves the pointwise kernels.
     */
    public static XlstmBlockStack load(BlockStackConfig cfg, WeightStore w, String prefix, MlstmCellKernel mlstmCell,
            KernelBackend backend) {
        if (mlstmCell == null) throw new IllegalArgumentException("mlstmCell is null (MlstmCellKernel.MLSTM is the default)");
        Weights ws = new Weights(w, prefix == null ? "" : prefix);
        XlstmBlockStack stack = load(cfg, ws, mlstmCell, backend);
        // a stack may be read out of a larger checkpoint: only its own namespace must be fully used
        ws.checkAllUsed("blocks.", "post_blocks_norm.");
        return stack;
    }

    static XlstmBlockStack load(BlockStackConfig cfg, Weights w, KernelBackend backend) {
        return load(cfg, w, MlstmCellKernel.MLSTM, backend);
    }

    static XlstmBlockStack load(BlockStackConfig cfg, Weights w, MlstmCellKernel mlstmCell, KernelBackend backend) {
        Kernels kernels = new Kernels(backend);
        // the project's own cell runs on the chosen backend; a user's cell runs as it is
        MlstmCellKernel cell = mlstmCell == MlstmCellKernel.MLSTM ? kernels.mlstm() : mlstmCell;
        int e = cfg.embeddingDim();
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < cfg.numBlocks(); i++) {
            XlstmBlockConfig bc = cfg.block(i);
            Weights bw = w.at("blocks." + i + ".");
            if (bc instanceof MlstmBlockConfig mc) {
                blocks.add(new MlstmBlock(mc, bw, cell, kernels));
            } else if (bc instanceof SlstmBlockConfig sc) {
                blocks.add(new SlstmBlock(sc, bw, kernels));
            } else {
                throw new IllegalStateException("unknown block config " + bc);
            }
        }
        Tensor post = cfg.addPostBlocksNorm() ? w.vector("post_blocks_norm.weight", e) : null;
        return new XlstmBlockStack(e, List.copyOf(blocks), post);
    }

    public int embeddingDim() { return embeddingDim; }

    public int numBlocks() { return blocks.size(); }

    /** (B,S,E) float32 -> (B,S,E). */
    public Tensor forward(Tensor x) {
        checkInput(x, -1);
        Tensor h = x.toF32();
        for (Block b : blocks) h = b.forward(h);
        return postNorm(h);
    }

    public BlockStackState newState(int batch) {
        if (batch <= 0) throw new UserError("batch size must be positive, got " + batch);
        List<BlockState> states = new ArrayList<>();
        for (Block b : blocks) states.add(b.newState(batch));
        return new BlockStackState(this, batch, states);
    }

    /** One token: x (B,1,E) -> (B,1,E); {@code state} is updated. */
    public Tensor step(Tensor x, BlockStackState state) {
        checkInput(x, 1);
        if (state == null) throw new UserError("step needs a state (newState(batch))");
        if (state.owner() != this) {
            throw new UserError("this state was made by another model (use newState(batch) of this one)");
        }
        if (state.batch() != x.dim(0)) {
            throw new UserError("state was made for batch size " + state.batch() + ", input has batch size " + x.dim(0));
        }
        Tensor h = x.toF32();
        for (int i = 0; i < blocks.size(); i++) h = blocks.get(i).step(h, state.block(i));
        return postNorm(h);
    }

    private Tensor postNorm(Tensor h) {
        return postNormW == null ? h : CpuOps.layerNorm(h, postNormW, null, LN_EPS, true);
    }

    private void checkInput(Tensor x, int seq) {
        if (x.rank() != 3 || x.dim(2) != embeddingDim || (seq > 0 && x.dim(1) != seq)) {
            throw new UserError("block stack input must have shape (B, " + (seq > 0 ? seq : "S") + ", " + embeddingDim
                    + "), got " + java.util.Arrays.toString(x.shape()));
        }
    }
}
