package xlstm.training.model;

import xlstm.training.autograd.Tape;
import xlstm.training.autograd.Var;

/** One residual block of a trainable model: (B, S, E) → (B, S, E), recorded on a tape. */
interface BlockGraph {
    Var forward(Tape tape, Var x);
}
