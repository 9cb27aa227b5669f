package xlstm.training.model;

import xlstm.runtime.tensor.Tensor;

/** sLSTM parameters of the vanilla backend's storage rewritten in the cuda backend's (SPEC §2.5). */
final class SlstmCudaLayout {
    private SlstmCudaLayout() {}

    /** vanilla (NH, 4·DH, DH) [h, g·DH + j, i] → cuda (NH, DH, 4·DH) [h, i, g·DH + j]. */
    static Tensor kernel(Tensor vanilla) {
        int nh = Math.toIntExact(vanilla.dim(0)), four = Math.toIntExact(vanilla.dim(1)), dh = Math.toIntExact(vanilla.dim(2));
        float[] v = vanilla.toFloatArray(), c = new float[v.length];
        for (int h = 0; h < nh; h++) {
            for (int gj = 0; gj < four; gj++) {
                for (int i = 0; i < dh; i++) c[(h * dh + i) * four + gj] = v[(h * four + gj) * dh + i];
            }
        }
        return Tensor.of(c, nh, dh, four);
    }

    /** vanilla gate-major [g·E + h·DH + j] → cuda head-major [h·4·DH + g·DH + j]. */
    static Tensor bias(Tensor vanilla, int numHeads) {
        float[] v = vanilla.toFloatArray(), c = new float[v.length];
        int e = v.length / 4, dh = e / numHeads;
        for (int g = 0; g < 4; g++) {
            for (int h = 0; h < numHeads; h++) {
                for (int j = 0; j < dh; j++) c[h * 4 * dh + g * dh + j] = v[g * e + h * dh + j];
            }
        }
        return Tensor.of(c, v.length);
    }
}
