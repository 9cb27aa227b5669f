package xlstm.training.model;

import java.util.List;
import xlstm.runtime.config.BlockStackConfig;
import xlstm.runtime.tensor.Tensor;
import xlstm.training.Parameter;
import xlstm.training.autograd.Tape;
import xlstm.training.autograd.Var;

/**
 * A stand-alone trainable {@code xLSTMBlockStack}: x (B, S, E) → y (B, S, E), and the backward of any loss given
 * its gradient with respect to y (e.g. {@code r} for the fixtures' {@code sum(y·r)}).
 */
public final class TrainableBlockStack {
    private final BlockStackGraph graph;
    private final List<Parameter> parameters;

    TrainableBlockStack(BlockStackConfig cfg, ParameterSet w) {
        graph = new BlockStackGraph(cfg, w, "");
        w.checkAllUsed();
        parameters = w.parameters();
    }

    /** Every parameter, under the reference's {@code state_dict} names. */
    public List<Parameter> parameters() { return parameters; }

    /** The forward pass alone. */
    public Tensor forward(Tensor x) {
        return graph.forward(new Tape(false), new Var(x.toF32())).value();
    }

    /** Adds the gradients of the loss with gradient {@code dy} at y into the parameters; returns the one of x. */
    public Tensor backward(Tensor x, Tensor dy) {
        Tape t = new Tape(true);
        Var in = new Var(x.toF32().copy());
        Var y = graph.forward(t, in);
        t.backward(y, dy.toFloatArray());
        return in.gradTensor();
    }
}
