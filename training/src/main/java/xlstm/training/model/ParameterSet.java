package xlstm.training.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import xlstm.runtime.UserError;
import xlstm.runtime.tensor.Tensor;
import xlstm.training.Parameter;

/**
 * The parameters of a model, made from weights by reference {@code state_dict} name: each tensor a model asks for
 * is copied into a float32 {@link Parameter} (so training never writes into the caller's tensors). A missing or
 * mis-shaped tensor, and after {@link #checkAllUsed()} any tensor nobody asked for, is a {@link UserError} naming it.
 */
final class ParameterSet {
    private final Map<String, Tensor> weights;
    private final Map<String, Parameter> taken = new LinkedHashMap<>();
    private final List<String> ignored = new ArrayList<>();

    ParameterSet(Map<String, Tensor> weights) {
        if (weights == null) throw new IllegalArgumentException("weights are null");
        this.weights = weights;
    }

    /** The parameter {@code name} of exactly {@code shape}. */
    Parameter take(String name, long... shape) {
        Parameter p = takeOptional(name, shape);
        if (p == null) throw new UserError("weight '" + name + "' is missing, expected shape " + Arrays.toString(shape));
        return p;
    }

    /** As {@link #take}, or null when the weights do not hold {@code name}. */
    Parameter takeOptional(String name, long... shape) {
        Parameter known = taken.get(name);
        if (known != null) return known;
        Tensor t = weights.get(name);
        if (t == null) return null;
        if (!Arrays.equals(t.shape(), shape)) {
            throw new UserError("weight '" + name + "' has shape " + Arrays.toString(t.shape()) + ", expected "
                    + Arrays.toString(shape));
        }
        Parameter p = new Parameter(name, t.toF32().copy());
        taken.put(name, p);
        return p;
    }

    /** Marks {@code name} as known without making it a parameter (a tied weight's second name). */
    void accept(String name) {
        if (weights.containsKey(name) && !taken.containsKey(name)) ignored.add(name);
    }

    /** Fails on weights that no part of the model asked for. */
    void checkAllUsed() {
        TreeSet<String> extra = new TreeSet<>(weights.keySet());
        extra.removeAll(taken.keySet());
        ignored.forEach(extra::remove);
        if (!extra.isEmpty()) throw new UserError("unexpected weight(s) for this config: " + String.join(", ", extra));
    }

    List<Parameter> parameters() { return List.copyOf(taken.values()); }
}
