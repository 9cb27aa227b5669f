package xlstm.runtime.model;

import java.lang.foreign.MemorySegment;
import xlstm.backends.DType;
import xlstm.generated.MlstmCell;
import xlstm.runtime.backend.KernelBackend;
import xlstm.runtime.config.ActivationFn;
import xlstm.runtime.tensor.Tensor;

/**
 * Tensor-level calls of the generated pointwise kernels (docs/glue-contract.md) on a model's
 * {@link KernelBackend}. Every input is a contiguous float32 tensor whose last dimension is the kernel's {@code N};
 * the result is a new float32 tensor of the same shape.
 */
final class Kernels {
    private final KernelBackend kb;

    Kernels(KernelBackend kb) {
        if (kb == null) throw new IllegalArgumentException("kernel backend is null");
        this.kb = kb;
    }

    KernelBackend backend() { return kb; }

    /** {@link MlstmCellKernel#MLSTM} on this backend: the parallel form over a sequence, the recurrent step. */
    MlstmCellKernel mlstm() {
        return new MlstmCellKernel() {
            @Override
            public void forward(int b, int nh, int s, int dqk, int dv, MemorySegment q, MemorySegment k,
                    MemorySegment v, MemorySegment i, MemorySegment f, MemorySegment c, MemorySegment n,
                    MemorySegment m, MemorySegment h) {
                kb.mlstmParallel(b, nh, s, dqk, dv, q, k, v, i, f, h, MlstmCell.DEFAULT_EPS);
            }

            @Override
            public void step(int b, int nh, int dqk, int dv, MemorySegment q, MemorySegment k, MemorySegment v,
                    MemorySegment i, MemorySegment f, MemorySegment c, MemorySegment n, MemorySegment m,
                    MemorySegment h) {
                kb.mlstmStep(b, nh, dqk, dv, q, k, v, i, f, c, n, m, h, MlstmCell.DEFAULT_EPS);
            }

            @Override
            public String toString() { return "mlstm on " + kb.name(); }
        };
    }

    Tensor silu(Tensor x) {
        f32(x);
        Tensor y = Tensor.zeros(x.shape());
        kb.siluRows(rows(x), cols(x), x.data(), y.data());
        return y;
    }

    /** {@code cap * tanh(x / cap)}; a tensor of the same values when {@code cap} is null. */
    Tensor softcap(Tensor x, Float cap) {
        f32(x);
        if (cap == null) return x;
        Tensor y = Tensor.zeros(x.shape());
        kb.softcapRows(rows(x), cols(x), x.data(), y.data(), cap);
        return y;
    }

    /** {@code sigmoid(o) * h}. */
    Tensor sigmoidGate(Tensor o, Tensor h) {
        f32(o); f32(h); same(o, h);
        Tensor y = Tensor.zeros(h.shape());
        kb.sigmoidGate(rows(h), cols(h), o.data(), h.data(), y.data());
        return y;
    }

    /** {@code (h + skip * xc) * silu(z)}, skip of size N. */
    Tensor mlstmSkipGate(Tensor h, Tensor xc, Tensor z, Tensor skip) {
        f32(h); f32(xc); f32(z); f32(skip); same(h, xc); same(h, z);
        if (skip.numel() != cols(h)) throw new IllegalArgumentException("skip " + skip + " for rows of " + cols(h));
        Tensor y = Tensor.zeros(h.shape());
        kb.mlstmSkipGate(rows(h), cols(h), h.data(), xc.data(), z.data(), skip.data(), y.data());
        return y;
    }

    /** The gated feed-forward's {@code act(g) * u}. */
    Tensor gatedAct(ActivationFn act, Tensor g, Tensor u) {
        f32(g); f32(u); same(g, u);
        Tensor y = Tensor.zeros(g.shape());
        kb.gatedActivation(act, rows(g), cols(g), g.data(), u.data(), y.data());
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
