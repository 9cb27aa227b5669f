package xlstm.training.autograd;

import xlstm.backends.cpu.CpuParallel;
import xlstm.runtime.backend.JavaKernels;
import xlstm.runtime.backend.KernelBackend;
import xlstm.runtime.config.ActivationFn;
import xlstm.runtime.ops.CpuOps;
import xlstm.runtime.tensor.Tensor;

/**
 * Element-wise ops. The forward runs the generated pointwise kernels on the CPU backend (the inference models'
 * routines); the backward is each op's derivative, evaluated in double.
 */
public final class PointwiseOps {
    private static final KernelBackend KERNELS = JavaKernels.INSTANCE;
    private static final int GRAIN = 4096;

    private PointwiseOps() {}

    /** A function of one element index that adds the input gradients of that element. */
    private interface ElementGrad { void apply(int i); }

    private static void forEachElement(int n, ElementGrad g) {
        CpuParallel.forEach((n + GRAIN - 1) / GRAIN, c -> {
            for (int i = c * GRAIN, end = Math.min(n, i + GRAIN); i < end; i++) g.apply(i);
        });
    }

    private static double sigmoid(double x) { return 1.0 / (1.0 + Math.exp(-x)); }

    private static Tensor out(Var like) { return Tensor.zeros(like.shape()); }

    /** {@code x·sigmoid(x)}. */
    public static Var silu(Tape tape, Var x) {
        Tensor yt = out(x);
        KERNELS.siluRows(Floats.rows(x), Floats.cols(x), x.value().data(), yt.data());
        Var y = new Var(yt);
        tape.record(() -> {
            if (!y.hasGrad()) return;
            float[] xv = Floats.of(x.value()), dy = y.grad(), dx = x.grad();
            forEachElement(xv.length, i -> {
                double s = sigmoid(xv[i]);
                dx[i] += (float) (dy[i] * s * (1.0 + xv[i] * (1.0 - s)));
            });
        });
        return y;
    }

    /** {@code cap·tanh(x/cap)}; x itself when cap is null. */
    public static Var softcap(Tape tape, Var x, Float cap) {
        if (cap == null) return x;
        Tensor yt = out(x);
        KERNELS.softcapRows(Floats.rows(x), Floats.cols(x), x.value().data(), yt.data(), cap);
        Var y = new Var(yt);
        tape.record(() -> {
            if (!y.hasGrad()) return;
            float[] xv = Floats.of(x.value()), dy = y.grad(), dx = x.grad();
            forEachElement(xv.length, i -> {
                double t = Math.tanh(xv[i] / (double) cap);
                dx[i] += (float) (dy[i] * (1.0 - t * t));
            });
        });
        return y;
    }

    /** {@code sigmoid(o)·h}. */
    public static Var sigmoidGate(Tape tape, Var o, Var h) {
        Tensor yt = out(h);
        KERNELS.sigmoidGate(Floats.rows(h), Floats.cols(h), o.value().data(), h.value().data(), yt.data());
        Var y = new Var(yt);
        tape.record(() -> {
            if (!y.hasGrad()) return;
            float[] ov = Floats.of(o.value()), hv = Floats.of(h.value()), dy = y.grad(), dO = o.grad(), dh = h.grad();
            forEachElement(ov.length, i -> {
                double s = sigmoid(ov[i]);
                dO[i] += (float) (dy[i] * hv[i] * s * (1.0 - s));
                dh[i] += (float) (dy[i] * s);
            });
        });
        return y;
    }

    /** The mLSTM block's {@code (h + skip·xc)·silu(z)}, skip of one value per feature. */
    public static Var skipGate(Tape tape, Var h, Var xc, Var z, Var skip) {
        Tensor yt = out(h);
        int rows = Floats.rows(h), n = Floats.cols(h);
        KERNELS.mlstmSkipGate(rows, n, h.value().data(), xc.value().data(), z.value().data(), skip.value().data(),
                yt.data());
        Var y = new Var(yt);
        tape.record(() -> {
            if (!y.hasGrad()) return;
            float[] hv = Floats.of(h.value()), xv = Floats.of(xc.value()), zv = Floats.of(z.value());
            float[] sv = Floats.of(skip.value()), dy = y.grad();
            float[] dh = h.grad(), dxc = xc.grad(), dz = z.grad();
            float[] dskipRows = new float[hv.length];
            forEachElement(hv.length, i -> {
                double s = sigmoid(zv[i]), silu = zv[i] * s, a = hv[i] + (double) sv[i % n] * xv[i];
                double g = dy[i] * silu;
                dh[i] += (float) g;
                dxc[i] += (float) (g * sv[i % n]);
                dskipRows[i] = (float) (g * xv[i]);
                dz[i] += (float) (dy[i] * a * s * (1.0 + zv[i] * (1.0 - s)));
            });
            float[] ds = skip.grad();
            for (int i = 0; i < hv.length; i++) ds[i % n] += dskipRows[i];
        });
        return y;
    }

    /** The gated feed-forward's {@code act(g)·u}. */
    public static Var gatedAct(Tape tape, ActivationFn act, Var g, Var u) {
        Tensor yt = out(g);
        KERNELS.gatedActivation(act, Floats.rows(g), Floats.cols(g), g.value().data(), u.value().data(), yt.data());
        Var y = new Var(yt);
        tape.record(() -> {
            if (!y.hasGrad()) return;
            float[] gv = Floats.of(g.value()), uv = Floats.of(u.value()), dy = y.grad(), dg = g.grad(), du = u.grad();
            forEachElement(gv.length, i -> {
                dg[i] += (float) (dy[i] * uv[i] * act.derivative(gv[i]));
                du[i] += (float) (dy[i] * act.apply((double) gv[i]));
            });
        });
        return y;
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
