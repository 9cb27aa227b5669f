/**
 * The models: the original xLSTM architecture ({@link xlstm.runtime.model.XlstmBlockStack},
 * {@link xlstm.runtime.model.XlstmLmModel}, with step-mode states) and xLSTM Large, the 7B architecture
 * ({@link xlstm.runtime.model.XlstmLarge} with its {@link xlstm.runtime.model.LargeState}). Layers call the
 * generated cell and pointwise kernels ({@code xlstm.generated}, see docs/glue-contract.md) and the tensor
 * operations of {@link xlstm.runtime.ops.CpuOps}; weights come from a {@link xlstm.runtime.io.WeightStore}
 * under the reference's {@code state_dict} names.
 */
package xlstm.runtime.model;
