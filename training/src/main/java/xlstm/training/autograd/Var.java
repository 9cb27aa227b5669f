package xlstm.training.autograd;

import java.util.Arrays;
import xlstm.runtime.tensor.Tensor;

/**
 * A node of the tape: a float32 value and the gradient of the loss with respect to it, accumulated ({@code +=})
 * by the backward steps of the ops that consumed it. The gradient is a plain float array, allocated on first use.
 */
public final class Var {
    private final Tensor value;
    private float[] grad;

    public Var(Tensor value) {
        if (value.dtype() != xlstm.backends.DType.F32) throw new IllegalArgumentException("Var must be float32: " + value);
        this.value = value;
    }

    public Tensor value() { return value; }

    public long[] shape() { return value.shape(); }

    public int numel() { return Math.toIntExact(value.numel()); }

    public int dim(int i) { return Math.toIntExact(value.dim(i)); }

    /** The gradient, zero until a backward step adds to it. */
    public float[] grad() {
        if (grad == null) grad = new float[numel()];
        return grad;
    }

    /** True once some backward step has written a gradient. */
    public boolean hasGrad() { return grad != null; }

    /** The gradient as a float32 tensor of the value's shape (zeros when none was written). */
    public Tensor gradTensor() { return Tensor.of(grad(), value.shape()); }

    /** grad += g (same element count). */
    public void addGrad(float[] g) {
        if (g.length != numel()) throw new IllegalArgumentException("gradient of " + g.length + " for " + this);
        float[] d = grad();
        for (int i = 0; i < d.length; i++) d[i] += g[i];
    }

    @Override
    public String toString() { return "Var" + Arrays.toString(value.shape()); }
}
