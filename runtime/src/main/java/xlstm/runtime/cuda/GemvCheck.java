package xlstm.runtime.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Locale;
import xlstm.backends.cuda.CuEvent;
import xlstm.backends.cuda.Cublas;
import xlstm.backends.cuda.CudaContext;
import xlstm.runtime.backend.DevicePointer;
import xlstm.runtime.backend.ResidentKernels;

/**
 * {@code java ... xlstm.runtime.cuda.GemvCheck}: our bf16 GEMV ({@link GemvKernels}) against cuBLAS on the batch-1
 * decode products of the 7B shape (q|k|v|o|i|f, gate|up, down, out, LM head) and a small odd one, on the same random
 * inputs in one run: the largest difference relative to the largest output (bf16 x: both multiply the same numbers,
 * so only the summation order differs, tolerance 1e-4; float32 x: cuBLAS reads x rounded to bf16, 1e-2), also with
 * a residual and a bias added; the soft-capped rows against the soft-cap kernel (1e-6);
 * and each one's device time (CUDA events, median of 50) as GB/s of weights. Exit 1 when a difference is over its
 * tolerance.
 */
public final class GemvCheck {
    private GemvCheck() {}

    public static void main(String[] args) {
        int[][] shapes = {{12304, 4096}, {21888, 4096}, {4096, 10944}, {4096, 4096}, {50304, 4096}, {200, 64}};
        boolean ok = true;
        try (ResidentKernels gen = ResidentKernels.get(); Cublas blas = Cublas.on(gen.context())) {
            CudaContext ctx = gen.context();
            GlueKernels glue = new GlueKernels(ctx);
            GemvKernels gemv = new GemvKernels(ctx);
            for (int[] sh : shapes) {
                int out = sh[0], in = sh[1];
                try (DeviceBuffers mem = new DeviceBuffers(ctx)) {
                    long w = mem.alloc(2L * out * in), x = mem.alloc(4L * in), xb = mem.alloc(2L * in);
                    long y0 = mem.alloc(4L * out), y1 = mem.alloc(4L * out), base = mem.alloc(4L * out);
                    long bias = mem.alloc(4L * out);
                    glue.fillUniform(w, true, (long) out * in, 11, (float) (1 / Math.sqrt(in)));
                    glue.fillUniform(x, false, in, 12, 1f);
                    glue.fillUniform(base, false, out, 13, 1f);
                    glue.fillUniform(bias, false, out, 14, 1f);
                    glue.toBf16(x, xb, in);
                    for (boolean xF32 : new boolean[] {false, true}) {
                        for (int mode = 0; mode < 3; mode++) { // plain, residual added, bias and residual
                            boolean acc = mode > 0, withBias = mode == 2;
                            ctx.copyAsync(y0, base, 4L * out);
                            ctx.copyAsync(y1, base, 4L * out);
                            blas.linear(xb, w, Cublas.R_16BF, y0, 1, in, out, acc, false);
                            if (withBias) glue.addBias(y0, bias, 1, out, false);
                            gemv.gemv(xF32 ? x : xb, !xF32, w, withBias ? bias : 0, y1, in, out, 1, acc);
                            double[] d = difference(ctx, y0, y1, out);
                            double tol = xF32 ? 1e-2 : 1e-4, rel = d[0] / Math.max(d[1], Double.MIN_NORMAL);
                            boolean pass = rel <= tol;
                            ok &= pass;
                            System.out.printf(Locale.ROOT, "%s gemv %dx%d x %s%s: max err %.3g of max|y| %.3g (rel %.2g, tol %.0g)%n",
                                    pass ? "PASS" : "FAIL", out, in, xF32 ? "float32" : "bf16",
                                    new String[] {"", ", residual", ", bias, residual"}[mode], d[0], d[1], rel, tol);
                        }
                    }
                    // the soft-cap of the last 16 rows (the fused projection's gates) against the soft-cap kernel
                    int capRows = Math.min(16, out), capFrom = out - capRows;
                    float cap = 0.5f;
                    gemv.gemv(x, false, w, bias, y0, in, out, 1, false);
                    long tail = y0 + 4L * capFrom;
                    gen.launch("softcap_rows_apply", 1, capRows, new DevicePointer(tail), new DevicePointer(tail), cap);
                    gemv.gemv(x, false, w, bias, y1, in, out, 1, false, capFrom, cap);
                    double[] dc = difference(ctx, y0, y1, out);
                    double relc = dc[0] / Math.max(dc[1], Double.MIN_NORMAL);
                    ok &= relc <= 1e-6;
                    System.out.printf(Locale.ROOT, "%s gemv %dx%d, last %d rows soft-capped: max err %.3g of max|y| %.3g (rel %.2g, tol 1e-06)%n",
                            relc <= 1e-6 ? "PASS" : "FAIL", out, in, capRows, dc[0], dc[1], relc);
                    if (out >= 4096) {
                        double gb = 2.0 * out * in / 1e9;
                        double tb = millis(ctx, () -> blas.linear(xb, w, Cublas.R_16BF, y0, 1, in, out, false, false));
                        double tg = millis(ctx, () -> gemv.gemv(xb, true, w, 0, y1, in, out, 1, false));
                        double tf = millis(ctx, () -> gemv.gemv(x, false, w, 0, y1, in, out, 1, false));
                        System.out.printf(Locale.ROOT, "time gemv %dx%d: cuBLAS %.1f us (%.0f GB/s), ours bf16 x %.1f us"
                                + " (%.0f GB/s), ours float32 x %.1f us (%.0f GB/s): cuBLAS/ours %.2fx%n", out, in,
                                tb * 1e3, gb / tb * 1e3, tg * 1e3, gb / tg * 1e3, tf * 1e3, gb / tf * 1e3, tb / tg);
                    }
                }
            }
        }
        System.exit(ok ? 0 : 1);
    }

    /** {max |a - b|, max |a|} over n floats at a and b. */
    private static double[] difference(CudaContext ctx, long a, long b, long n) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ha = arena.allocate(4 * n, 16), hb = arena.allocate(4 * n, 16);
            ctx.readAsyncAt(a, ha);
            ctx.readAsyncAt(b, hb);
            ctx.synchronize("reading the products");
            double err = 0, ref = 0;
            for (long i = 0; i < n; i++) {
                float va = ha.getAtIndex(ValueLayout.JAVA_FLOAT, i), vb = hb.getAtIndex(ValueLayout.JAVA_FLOAT, i);
                err = Math.max(err, Math.abs((double) va - vb));
                ref = Math.max(ref, Math.abs(va));
                if (Float.isNaN(va) != Float.isNaN(vb)) err = Double.POSITIVE_INFINITY;
            }
            return new double[] {err, ref};
        }
    }

    /** Median device milliseconds of {@code work} over 50 runs after 50 warm-ups (the clocks settle). */
    private static double millis(CudaContext ctx, Runnable work) {
        try (CuEvent start = ctx.event(); CuEvent end = ctx.event()) {
            for (int i = 0; i < 50; i++) work.run();
            double[] ms = new double[50];
            for (int i = 0; i < ms.length; i++) {
                start.record();
                work.run();
                end.record();
                ms[i] = end.millisSince(start);
            }
            Arrays.sort(ms);
            return ms[ms.length / 2];
        }
    }
}
