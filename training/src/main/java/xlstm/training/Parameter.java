package xlstm.training;

import java.util.Arrays;
import xlstm.runtime.tensor.Tensor;

/**
 * One trainable tensor under the reference's {@code state_dict} name: its float32 value and the float32 gradient
 * that a backward pass accumulates into ({@code +=}). Optimisers update {@link #value()} in place, so the model
 * that owns the parameter sees the new values without a reload.
 */
public final class Parameter {
    private final String name;
    private final Tensor value;
    private final Tensor grad;

    public Parameter(String name, Tensor value) {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("parameter without a name");
        if (value.dtype() != xlstm.backends.DType.F32) {
            throw new IllegalArgumentException("parameter " + name + " must be float32, is " + value.dtype());
        }
        this.name = name;
        this.value = value;
        this.grad = Tensor.zeros(value.shape());
    }

    public String name() { return name; }

    public Tensor value() { return value; }

    public Tensor grad() { return grad; }

    public long[] shape() { return value.shape(); }

    public long numel() { return value.numel(); }

    public void zeroGrad() { grad.fill(0f); }

    @Override
    public String toString() { return name + Arrays.toString(value.shape()); }
}
