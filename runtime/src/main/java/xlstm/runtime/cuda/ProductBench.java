package xlstm.runtime.cuda;

import java.util.Arrays;
import java.util.Locale;
import xlstm.backends.cuda.CuEvent;
import xlstm.backends.cuda.Cublas;
import xlstm.backends.cuda.CudaContext;
import xlstm.runtime.backend.ResidentKernels;

/**
 * {@code java ... xlstm.runtime.cuda.ProductBench [TOKENS [K->N [WINDOWS]]]}: the cuBLAS products of a 7B prefill (8192 tokens
 * unless given; all four shapes, or the one named) in the forms {@link DeviceLarge} runs them and in the variants it could run instead (output float32 or bf16,
 * row-major or feature-major, a residual added or not), on random bf16 inputs: device ms (CUDA events between 20
 * products queued back to back after 5 warm-ups, the median) and TFLOP/s (2 M N K / time). For comparing our products with PyTorch's on the same shapes
 * ({@code scripts/torch_7b_gpu.py}). With WINDOWS: only that shape's bf16-output product (PyTorch's form), in
 * that many windows of 20 back to back, each printed with the seconds since the first: how its speed moves while
 * the GPU warms up ({@code scripts/gemm-power-ab.sh}, beside {@code torch_7b_gpu.py --windows}).
 */
public final class ProductBench {
    private ProductBench() {}

    private static final int WARMUP = 5, REPEATS = 20;

    public static void main(String[] args) {
        int m = args.length > 0 ? Integer.parseInt(args[0]) : 8192;
        int bf = Cublas.R_16BF, f32 = Cublas.R_32F;
        try (ResidentKernels gen = ResidentKernels.get(); Cublas blas = Cublas.on(gen.context());
             DeviceBuffers mem = new DeviceBuffers(gen.context())) {
            CudaContext ctx = gen.context();
            GlueKernels glue = new GlueKernels(ctx);
            int kMax = 10944, nMax = 21888;
            long x = mem.alloc(2L * m * kMax), w = mem.alloc(2L * nMax * kMax), y = mem.alloc(4L * m * nMax);
            glue.fillUniform(x, true, (long) m * kMax, 1, 1f);
            glue.fillUniform(w, true, (long) nMax * kMax, 2, (float) (1 / Math.sqrt(kMax)));
            glue.fillUniform(y, false, (long) m * nMax, 3, 1f);
            System.out.printf(Locale.ROOT, "cuBLAS %d, %d tokens; ms (median of %d) and TFLOP/s%n", blas.version(), m, REPEATS);
            int[][] shapes = {{4096, 2048}, {4096, 4096}, {4096, 21888}, {10944, 4096}};
            for (int[] sh : shapes) {
                int k = sh[0], n = sh[1];
                if (args.length > 1 && !args[1].equals(k + "->" + n)) continue;
                double flop = 2.0 * m * n * k;
                String s = k + "->" + n;
                if (args.length > 2) {
                    windows(ctx, s, flop, Integer.parseInt(args[2]), () -> blas.linear(x, w, bf, y, bf, m, k, n, false, false));
                    continue;
                }
                report(ctx, s + " float32 out", flop, () -> blas.linear(x, w, bf, y, f32, m, k, n, false, false));
                report(ctx, s + " float32 out, residual", flop, () -> blas.linear(x, w, bf, y, f32, m, k, n, true, false));
                report(ctx, s + " bf16 out", flop, () -> blas.linear(x, w, bf, y, bf, m, k, n, false, false));
                report(ctx, s + " float32 out, feature-major", flop, () -> blas.linear(x, w, bf, y, f32, m, k, n, false, true));
                report(ctx, s + " bf16 out, feature-major", flop, () -> blas.linear(x, w, bf, y, bf, m, k, n, false, true));
                report(ctx, s + " float32 out, residual, input feature-major", flop,
                        () -> blas.linearFromFeatureMajor(x, w, bf, y, m, k, n, true));
                if (n % 8 == 0 && n <= 4096) {
                    int heads = 8, per = n / heads;
                    report(ctx, s + " float32 out, " + heads + " heads (strided batch)", flop,
                            () -> blas.linearHeads(x, w, bf, y, m, k, per, heads, (long) m * per));
                }
            }
        }
    }

    private static void windows(CudaContext ctx, String shape, double flop, int count, Runnable product) {
        for (int i = 0; i < WARMUP; i++) product.run();
        long t0 = System.nanoTime();
        for (int i = 0; i < count; i++) {
            double med = median(ctx, product);
            System.out.printf(Locale.ROOT, "window %d at %.2f s: %s bf16 out: %.3f ms, %.1f TFLOP/s%n", i,
                    (System.nanoTime() - t0) / 1e9, shape, med, flop / med / 1e9);
        }
    }

    private static void report(CudaContext ctx, String what, double flop, Runnable product) {
        for (int i = 0; i < WARMUP; i++) product.run();
        double med = median(ctx, product);
        System.out.printf(Locale.ROOT, "product %-52s %8.3f ms %7.1f TFLOP/s%n", what, med, flop / med / 1e9);
    }

    /** The median device ms of {@link #REPEATS} products queued back to back. */
    private static double median(CudaContext ctx, Runnable product) {
        // back to back, as in a model's pass: an event between products, no wait until the end
        CuEvent[] ev = new CuEvent[REPEATS + 1];
        try {
            for (int i = 0; i <= REPEATS; i++) ev[i] = ctx.event();
            ev[0].record();
            for (int i = 0; i < REPEATS; i++) {
                product.run();
                ev[i + 1].record();
            }
            double[] ms = new double[REPEATS];
            for (int i = 0; i < REPEATS; i++) ms[i] = ev[i + 1].millisSince(ev[i]);
            Arrays.sort(ms);
            return ms[REPEATS / 2];
        } finally {
            for (CuEvent e : ev) if (e != null) e.close();
        }
    }
}
