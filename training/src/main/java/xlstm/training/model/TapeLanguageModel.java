package xlstm.training.model;

import java.util.List;
import xlstm.runtime.tensor.Tensor;
import xlstm.training.Batch;
import xlstm.training.Parameter;
import xlstm.training.Trainable;
import xlstm.training.autograd.CrossEntropy;
import xlstm.training.autograd.Tape;
import xlstm.training.autograd.Var;

/** A {@link Trainable} whose logits come from a forward pass on the tape: the loss and logits around it. */
abstract class TapeLanguageModel implements Trainable {
    private final ParameterSet weights;
    private List<Parameter> parameters;

    /** {@code weights}: the set the subclass's constructor takes its parameters from (complete when it returns). */
    TapeLanguageModel(ParameterSet weights) { this.weights = weights; }

    /** Logits (B, S, V) of {@code ids}, recorded on {@code t}. */
    abstract Var forward(Tape t, int[][] ids);

    @Override
    public final List<Parameter> parameters() {
        if (parameters == null) parameters = weights.parameters();
        return parameters;
    }

    @Override
    public final double loss(Batch batch, boolean backward) {
        Tape t = new Tape(backward);
        CrossEntropy.Loss loss = CrossEntropy.mean(t, forward(t, batch.inputs()), batch.targets());
        if (backward) t.backward(loss.node(), new float[] {1f});
        return loss.value();
    }

    @Override
    public final Tensor logits(int[][] inputs) { return forward(new Tape(false), inputs).value(); }
}
