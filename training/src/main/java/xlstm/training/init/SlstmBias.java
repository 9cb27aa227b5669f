package xlstm.training.init;

import xlstm.runtime.config.SlstmLayerConfig;
import xlstm.runtime.tensor.Tensor;
import xlstm.training.Rng;

/**
 * The sLSTM cell's {@code _bias_} per {@code bias_init} (SPEC §2.6), stored in the backend's order (§2.5):
 * vanilla gate-major {@code g·H + h·DH + j}, cuda head-major {@code h·4·DH + g·DH + j}; gates (i, f, z, o).
 */
public final class SlstmBias {
    private static final int FORGET = 1;

    private SlstmBias() {}

    /** The forget-gate bias of one head under {@code powerlaw_blockdependent}: +5 at j=0 down to −7 at j=DH−1. */
    public static float[] powerlawForget(int headDim, int blockIdx, int numBlocks) {
        double ratio = numBlocks > 1 ? (double) blockIdx / (numBlocks - 1) : 0.0;
        float[] out = new float[headDim];
        float[] pos = Inits.linspace(0, 1, headDim);
        for (int j = 0; j < headDim; j++) out[j] = (float) -(-5.0 + 12.0 * Math.pow(pos[j], 0.3 + 1.3 * ratio));
        return out;
    }

    static Tensor of(SlstmLayerConfig c, long seed, String name) {
        int nh = c.numHeads(), dh = c.headDim(), e = c.embeddingDim();
        float[][][] b = new float[nh][4][dh]; // b[h][g][j], the external layout
        switch (c.biasInit()) {
            case "powerlaw_blockdependent" -> {
                int idx = c.blockIdx() == null ? 0 : c.blockIdx();
                int n = c.numBlocks() == null ? 1 : c.numBlocks();
                for (int h = 0; h < nh; h++) b[h][FORGET] = powerlawForget(dh, idx, n);
            }
            case "small_init" -> {
                for (int h = 0; h < nh; h++) b[h][FORGET] = Inits.linspace(3.0, 6.0, dh);
            }
            case "standard" -> {
                Rng r = Rng.derived(seed, name);
                double bound = 1 / Math.sqrt(e);
                for (int h = 0; h < nh; h++) {
                    for (int g = 0; g < 4; g++) {
                        for (int j = 0; j < dh; j++) b[h][g][j] = (float) (bound * (2 * r.nextDouble() - 1));
                    }
                }
            }
            case "zeros" -> { }
            default -> throw new IllegalArgumentException("bias_init " + c.biasInit());
        }
        float[] flat = new float[4 * e];
        for (int h = 0; h < nh; h++) {
            for (int g = 0; g < 4; g++) {
                for (int j = 0; j < dh; j++) {
                    flat[c.vanillaBackend() ? g * e + h * dh + j : h * 4 * dh + g * dh + j] = b[h][g][j];
                }
            }
        }
        return Tensor.of(flat, 4L * e);
    }
}
