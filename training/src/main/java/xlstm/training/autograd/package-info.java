/**
 * A small tape-based reverse-mode autograd over float32 tensors, with exactly the ops of the xLSTM blocks. Each op's
 * forward is the runtime's inference routine ({@code CpuOps}, the generated pointwise kernels and cells), so a
 * trainable model computes the same values as the inference model; each op records its backward step on the
 * {@link xlstm.training.autograd.Tape}. The cells' backward passes are not hand-written: they are the generated
 * {@code MlstmCellGrad} and {@code SlstmCellGrad}, derived by the compiler from the same DSL step as the forward.
 */
package xlstm.training.autograd;
