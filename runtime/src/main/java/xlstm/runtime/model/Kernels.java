package xlstm.runtime.model;

import xlstm.backends.DType;
import xlstm.generated.FfnGeluKernel;
import xlstm.generated.FfnRelu2Kernel;
import xlstm.generated.FfnReluKernel;
import xlstm.generated.FfnSeluKernel;
import xlstm.generated.FfnSigmoidKernel;
import xlstm.generated.FfnSwigluKernel;
import xlstm.generated.MlstmSkipGateKernel;
import xlstm.generated.SigmoidGateKernel;
import xlstm.generated.SiluRowsKernel;
import xlstm.generated.SoftcapRowsKernel;
import xlstm.runtime.config.ActivationFn;
import xlstm.runtime.tensor.Tensor;

/**
 * Tensor-level calls of the generated pointwise kernels (docs/glue-contract.md). Every input is a contiguous
 * float32 tensor whose last dimension is the kernel's {@code N}; the result is a new float32 tensor of the
 * same shape.
 */
final class Kernels {
    private Kernels() {}

    static Tensor silu(Tensor x) {
        f32(x);
        Tensor y = Tensor.zeros(x.shape());
        SiluRowsKernel.apply(rows(x), cols(x), x.data(), y.data());
        return y;
    }

    /** {@code cap * tanh(x / cap)}; a tensor of the same values when {@code cap} is null. */
    static Tensor softcap(Tensor x, Float cap) {
        f32(x);
        if (cap == null) return x;
        Tensor y = Tensor.zeros(x.shape());
        SoftcapRowsKernel.apply(rows(x), cols(x), x.data(), y.data(), cap);
        return y;
    }

    /** {@code sigmoid(o) * h}. */
    static Tensor sigmoidGate(Tensor o, Tensor h) {
        f32(o); f32(h); same(o, h);
        Tensor y = Tensor.zeros(h.shape());
        SigmoidGateKernel.apply(rows(h), cols(h), o.data(), h.data(), y.data());
        return y;
    }

    /** {@code (h + skip * xc) * silu(z)}, skip of size N. */
    static Tensor mlstmSkipGate(Tensor h, Tensor xc, Tensor z, Tensor skip) {
        f32(h); f32(xc); f32(z); f32(skip); same(h, xc); same(h, z);
        if (skip.numel() != cols(h)) throw new IllegalArgumentException("skip " + skip + " for rows of " + cols(h));
        Tensor y = Tensor.zeros(h.shape());
        MlstmSkipGateKernel.apply(rows(h), cols(h), h.data(), xc.data(), z.data(), skip.data(), y.data());
        return y;
    }

    /** The gated feed-forward's {@code act(g) * u}. */
    static Tensor gatedAct(ActivationFn act, Tensor g, Tensor u) {
        f32(g); f32(u); same(g, u);
        Tensor y = Tensor.zeros(g.shape());
        int r = rows(g), n = cols(g);
        switch (act) {
            case GELU -> FfnGeluKernel.apply(r, n, g.data(), u.data(), y.data());
            case RELU -> FfnReluKernel.apply(r, n, g.data(), u.data(), y.data());
            case RELU_SQUARED -> FfnRelu2Kernel.apply(r, n, g.data(), u.data(), y.data());
            case SIGMOID -> FfnSigmoidKernel.apply(r, n, g.data(), u.data(), y.data());
            case SWISH -> FfnSwigluKernel.apply(r, n, g.data(), u.data(), y.data());
            case SELU -> FfnSeluKernel.apply(r, n, g.data(), u.data(), y.data());
        }
        return y;
    }

    static int cols(Tensor t) { return Math.toIntExact(t.dim(-1)); }

    static int rows(Tensor t) { return Math.toIntExact(t.numel() / Math.max(1, t.dim(-1))); }

    private static void f32(Tensor t) {
        if (t.dtype() != DType.F32) throw new IllegalArgumentException("kernel input must be float32: " + t);
    }

    private static void same(Tensor a, Tensor b) {
        if (a.numel() != b.numel() || a.dim(-1) != b.dim(-1)) {
            throw new IllegalArgumentException("kernel inputs differ in shape: " + a + " vs " + b);
        }
    }
}
