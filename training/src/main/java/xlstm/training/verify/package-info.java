/** The backward passes checked against the reference gradients of the parity fixtures ({@code grads.safetensors}). */
package xlstm.training.verify;
