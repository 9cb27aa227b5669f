/**
 * Training: backward passes of the models (cells through the compiler's autodiff), optimiser, schedules,
 * checkpoints and experiments. {@link xlstm.training.Trainable} is the contract between models and the loop.
 */
package xlstm.training;
