package xlstm.training.optim;

import java.util.List;
import xlstm.training.Parameter;

/** Parameters that share a weight decay (PyTorch's optimiser {@code param_groups}). */
public record ParamGroup(String name, List<Parameter> parameters, double weightDecay) {
    public ParamGroup {
        parameters = List.copyOf(parameters);
        if (!(weightDecay >= 0)) throw new IllegalArgumentException("weight decay must be >= 0: " + weightDecay);
    }
}
