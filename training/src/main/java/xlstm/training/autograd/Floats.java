package xlstm.training.autograd;

import xlstm.runtime.tensor.Tensor;

/** Small helpers of the backward steps: tensor/array conversions, sizes, accumulation. */
final class Floats {
    private Floats() {}

    static float[] of(Tensor t) { return t.toFloatArray(); }

    static int rows(Var x) { return Math.toIntExact(x.value().numel() / Math.max(1, x.value().dim(-1))); }

    static int cols(Var x) { return Math.toIntExact(x.value().dim(-1)); }

    /** d += s. */
    static void add(float[] d, float[] s) {
        for (int i = 0; i < d.length; i++) d[i] += s[i];
    }
}
