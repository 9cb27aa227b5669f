package xlstm.training.autograd;

import java.lang.foreign.MemorySegment;
import xlstm.generated.FfnGeluKernelGrad;
import xlstm.generated.FfnRelu2KernelGrad;
import xlstm.generated.FfnReluKernelGrad;
import xlstm.generated.FfnSeluKernelGrad;
import xlstm.generated.FfnSigmoidKernelGrad;
import xlstm.generated.FfnSwigluKernelGrad;
import xlstm.generated.MlstmSkipGateKernelGrad;
import xlstm.generated.SigmoidGateKernelGrad;
import xlstm.generated.SiluRowsKernelGrad;
import xlstm.generated.SoftcapRowsKernelGrad;
import xlstm.runtime.backend.JavaKernels;
import xlstm.runtime.backend.KernelBackend;
import xlstm.runtime.config.ActivationFn;
import xlstm.runtime.ops.CpuOps;
import xlstm.runtime.tensor.Tensor;

/**
 * Element-wise ops. The forward runs the generated pointwise kernels on the CPU backend (the inference models'
 * routines); the backward runs their generated {@code <Kernel>Grad}, derived by the compiler from the same DSL
 * kernel. Those write the input cotangents, which are then added to the inputs' gradients.
 */
public final class PointwiseOps {
    private static final KernelBackend KERNELS = JavaKernels.INSTANCE;

    private PointwiseOps() {}

    private static Tensor like(Var v) { return Tensor.zeros(v.shape()); }

    /** {@code x·sigmoid(x)}. */
    public static Var silu(Tape tape, Var x) {
        int rows = Floats.rows(x), n = Floats.cols(x);
        Tensor yt = like(x);
        KERNELS.siluRows(rows, n, x.value().data(), yt.data());
        Var y = new Var(yt);
        tape.record(() -> {
            if (!y.hasGrad()) return;
            Tensor dx = like(x);
            SiluRowsKernelGrad.apply(rows, n, x.value().data(), y.gradTensor().data(), dx.data());
            Floats.add(x.grad(), dx.toFloatArray());
        });
        return y;
    }

    /** {@code cap·tanh(x/cap)}; x itself when cap is null. */
    public static Var softcap(Tape tape, Var x, Float cap) {
        if (cap == null) return x;
        int rows = Floats.rows(x), n = Floats.cols(x);
        Tensor yt = like(x);
        KERNELS.softcapRows(rows, n, x.value().data(), yt.data(), cap);
        Var y = new Var(yt);
        tape.record(() -> {
            if (!y.hasGrad()) return;
            Tensor dx = like(x);
            SoftcapRowsKernelGrad.apply(rows, n, x.value().data(), y.gradTensor().data(), dx.data(), cap);
            Floats.add(x.grad(), dx.toFloatArray());
        });
        return y;
    }

    /** {@code sigmoid(o)·h}. */
    public static Var sigmoidGate(Tape tape, Var o, Var h) {
        int rows = Floats.rows(h), n = Floats.cols(h);
        Tensor yt = like(h);
        KERNELS.sigmoidGate(rows, n, o.value().data(), h.value().data(), yt.data());
        Var y = new Var(yt);
        tape.record(() -> {
            if (!y.hasGrad()) return;
            Tensor dO = like(o), dh = like(h);
            SigmoidGateKernelGrad.apply(rows, n, o.value().data(), h.value().data(), y.gradTensor().data(), dO.data(),
                    dh.data());
            Floats.add(o.grad(), dO.toFloatArray());
            Floats.add(h.grad(), dh.toFloatArray());
        });
        return y;
    }

    /** The mLSTM block's {@code (h + skip·xc)·silu(z)}, skip of one value per feature. */
    public static Var skipGate(Tape tape, Var h, Var xc, Var z, Var skip) {
        int rows = Floats.rows(h), n = Floats.cols(h);
        Tensor yt = like(h);
        KERNELS.mlstmSkipGate(rows, n, h.value().data(), xc.value().data(), z.value().data(), skip.value().data(),
                yt.data());
        Var y = new Var(yt);
        tape.record(() -> {
            if (!y.hasGrad()) return;
            Tensor dh = like(h), dxc = like(xc), dz = like(z), dskip = like(skip);
            MlstmSkipGateKernelGrad.apply(rows, n, h.value().data(), xc.value().data(), z.value().data(),
                    skip.value().data(), y.gradTensor().data(), dh.data(), dxc.data(), dz.data(), dskip.data());
            Floats.add(h.grad(), dh.toFloatArray());
            Floats.add(xc.grad(), dxc.toFloatArray());
            Floats.add(z.grad(), dz.toFloatArray());
            Floats.add(skip.grad(), dskip.toFloatArray());
        });
        return y;
    }

    /** The gated feed-forward's {@code act(g)·u}. */
    public static Var gatedAct(Tape tape, ActivationFn act, Var g, Var u) {
        int rows = Floats.rows(g), n = Floats.cols(g);
        Tensor yt = like(g);
        KERNELS.gatedActivation(act, rows, n, g.value().data(), u.value().data(), yt.data());
        Var y = new Var(yt);
        tape.record(() -> {
            if (!y.hasGrad()) return;
            Tensor dg = like(g), du = like(u);
            gatedActGrad(act, rows, n, g.value().data(), u.value().data(), y.gradTensor().data(), dg.data(), du.data());
            Floats.add(g.grad(), dg.toFloatArray());
            Floats.add(u.grad(), du.toFloatArray());
        });
        return y;
    }

    /** The generated gradient of the kernel that {@code JavaKernels.gatedActivation} runs for {@code act}. */
    private static void gatedActGrad(ActivationFn act, int rows, int n, MemorySegment g, MemorySegment u,
            MemorySegment dy, MemorySegment dg, MemorySegment du) {
        switch (act) {
            case GELU -> FfnGeluKernelGrad.apply(rows, n, g, u, dy, dg, du);
            case RELU -> FfnReluKernelGrad.apply(rows, n, g, u, dy, dg, du);
            case RELU_SQUARED -> FfnRelu2KernelGrad.apply(rows, n, g, u, dy, dg, du);
            case SIGMOID -> FfnSigmoidKernelGrad.apply(rows, n, g, u, dy, dg, du);
            case SWISH -> FfnSwigluKernelGrad.apply(rows, n, g, u, dy, dg, du);
            case SELU -> FfnSeluKernelGrad.apply(rows, n, g, u, dy, dg, du);
        }
    }

    /** {@code a + b} (a residual connection). */
    public static Var add(Tape tape, Var a, Var b) {
        Var y = new Var(CpuOps.add(a.value(), b.value()));
        tape.record(() -> {
            if (!y.hasGrad()) return;
            Floats.add(a.grad(), y.grad());
            Floats.add(b.grad(), y.grad());
        });
        return y;
    }
}
