package xlstm.training.autograd;

import xlstm.runtime.tensor.Tensor;

/** Small helpers of the backward steps: tensor/array conversions and transposes. */
final class Floats {
    private Floats() {}

    static float[] of(Tensor t) { return t.toFloatArray(); }

    /** Rows of a (rows, cols) row-major matrix as (cols, rows), a float32 tensor. */
    static Tensor transposed(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int r = 0; r < rows; r++) for (int c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c];
        return Tensor.of(t, cols, rows);
    }

    static int rows(Var x) { return Math.toIntExact(x.value().numel() / Math.max(1, x.value().dim(-1))); }

    static int cols(Var x) { return Math.toIntExact(x.value().dim(-1)); }

    /** d += s. */
    static void add(float[] d, float[] s) {
        for (int i = 0; i < d.length; i++) d[i] += s[i];
    }
}
