package xlstm.training;

import java.util.List;
import xlstm.runtime.tensor.Tensor;

/**
 * A language model that can be trained: parameters by reference name, and a forward + backward pass of the mean
 * cross-entropy. This is the contract between the models (backward passes) and the training loop (optimiser,
 * schedules, checkpoints), so each side can be built and tested without the other.
 */
public interface Trainable {
    /** Every trainable parameter, under the reference's {@code state_dict} names, in a stable order. */
    List<Parameter> parameters();

    /**
     * Mean cross-entropy of the logits against {@code batch.targets()} over the counted positions; with
     * {@code backward} the gradient of that mean is ADDED to every {@link Parameter#grad()} (callers zero them).
     */
    double loss(Batch batch, boolean backward);

    /** Logits (B, S, V) of a forward pass, float32. */
    Tensor logits(int[][] inputs);
}
