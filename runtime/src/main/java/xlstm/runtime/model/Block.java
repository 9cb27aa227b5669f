package xlstm.runtime.model;

import xlstm.runtime.tensor.Tensor;

/** One residual block of the original architecture's stack. */
interface Block {
    /** (B,S,E) -> (B,S,E), residuals included, from a zero state. */
    Tensor forward(Tensor x);

    BlockState newState(int batch);

    /** (B,1,E) -> (B,1,E), updating {@code state}. */
    Tensor step(Tensor x, BlockState state);
}
