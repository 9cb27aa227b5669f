/**
 * The trainable models: {@code xLSTMBlockStack}, {@code xLSTMLMModel} and {@code xLSTMLarge} written on the tape of
 * {@link xlstm.training.autograd}, block by block as the runtime's inference models, with parameters under the
 * reference's {@code state_dict} names. {@link xlstm.training.model.TrainableModels} builds them.
 */
package xlstm.training.model;
