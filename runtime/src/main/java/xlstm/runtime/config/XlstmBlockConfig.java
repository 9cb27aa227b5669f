package xlstm.runtime.config;

/**
 * One block of the original architecture's stack: an {@link MlstmBlockConfig} or an {@link SlstmBlockConfig}.
 * {@link BlockStackConfig#block(int)} returns them fully resolved for a block index.
 */
public sealed interface XlstmBlockConfig permits MlstmBlockConfig, SlstmBlockConfig {
    /** {@code _block_idx}; null at stack level, the block index once resolved for one block. */
    Integer blockIdx();

    /** {@code _num_blocks}; null until a stack sets it. */
    Integer numBlocks();

    /** The block's embedding dimension E. */
    int embeddingDim();

    /** The feed-forward after the cell (with its norm), or null when the block has none (mLSTM blocks). */
    FeedForwardConfig feedforward();

    /** 0 for mLSTM, 1 for sLSTM: the digit of {@code _block_map}. */
    int blockType();
}
