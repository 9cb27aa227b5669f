package xlstm.training.init;

import xlstm.runtime.tensor.Tensor;
import xlstm.training.Rng;

/**
 * The reference's initialisers ({@code xlstm/components/init.py}, PyTorch defaults). Each tensor draws from its
 * own generator, derived from the seed and the tensor's name, so adding a parameter changes no other one.
 */
final class Inits {
    private Inits() {}

    /** {@code small_init_}: the standard deviation √(2/(5·dim)). */
    static double smallInitStd(int dim) { return Math.sqrt(2.0 / (5.0 * dim)); }

    /** {@code wang_init_}: the standard deviation 2/(num_blocks·√dim). */
    static double wangInitStd(int dim, int numBlocks) { return 2.0 / (numBlocks * Math.sqrt(dim)); }

    static Tensor normal(long seed, String name, double mean, double std, long... shape) {
        Rng r = Rng.derived(seed, name);
        Tensor t = Tensor.zeros(shape);
        for (long i = 0; i < t.numel(); i++) t.setFloat(i, (float) (mean + std * r.nextGaussian()));
        return t;
    }

    /** U(−bound, bound). */
    static Tensor uniform(long seed, String name, double bound, long... shape) {
        Rng r = Rng.derived(seed, name);
        Tensor t = Tensor.zeros(shape);
        for (long i = 0; i < t.numel(); i++) t.setFloat(i, (float) (bound * (2 * r.nextDouble() - 1)));
        return t;
    }

    static Tensor constant(float v, long... shape) {
        Tensor t = Tensor.zeros(shape);
        if (v != 0f) t.fill(v);
        return t;
    }

    /** {@code torch.linspace(start, end, n)} as float32 values. */
    static float[] linspace(double start, double end, int n) {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = (float) (n == 1 ? start : start + (end - start) * i / (n - 1));
        return out;
    }
}
