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
            ok &= fusedForms(gen, glue, gemv);
        }
        System.exit(ok ? 0 : 1);
    }

    /**
     * The fused forms of a decode step against the separate launches they replace, on the 7B shape (E 4096, 8 heads
     * of 512, FFN 10944), with norm biases: the RMS norm then the product (soft-capped tail), the RMS norm, gate|up
     * and SwiGLU, and the head norm, the output gate and the out product onto a residual. The RMS forms round the
     * normed x to bf16 as the norm kernel does, so an element whose sum of squares differs in the last bit may round
     * the other way: tolerance 1e-3 of max|y|; the head-norm form keeps float32: 1e-5.
     */
    private static boolean fusedForms(ResidentKernels gen, GlueKernels glue, GemvKernels gemv) {
        CudaContext ctx = gen.context();
        int e = 4096, dh = 512, p = 10944, qkvo = 12304, capFrom = qkvo - 16;
        float eps = 1e-6f, cap = 15f;
        boolean ok = true;
        try (DeviceBuffers mem = new DeviceBuffers(ctx)) {
            long x = mem.alloc(4L * e), o = mem.alloc(4L * e), nw = mem.alloc(4L * e), nb = mem.alloc(4L * e);
            long xn = mem.alloc(2L * e), hn = mem.alloc(4L * e), gated = mem.alloc(4L * e);
            long wq = mem.alloc(2L * qkvo * e), wf = mem.alloc(2L * 2 * p * e), wo = mem.alloc(2L * e * e);
            long bq = mem.alloc(4L * qkvo), bf = mem.alloc(4L * 2 * p), ffn = mem.alloc(4L * 2 * p);
            long y0 = mem.alloc(4L * 2 * p), y1 = mem.alloc(4L * 2 * p), base = mem.alloc(4L * e);
            glue.fillUniform(x, false, e, 21, 3f);
            glue.fillUniform(o, false, e, 22, 4f);
            glue.fillUniform(nw, false, e, 23, 1f);
            glue.fillUniform(nb, false, e, 24, 0.1f);
            glue.fillUniform(wq, true, (long) qkvo * e, 25, (float) (1 / Math.sqrt(e)));
            glue.fillUniform(wf, true, 2L * p * e, 26, (float) (1 / Math.sqrt(e)));
            glue.fillUniform(wo, true, (long) e * e, 27, (float) (1 / Math.sqrt(e)));
            glue.fillUniform(bq, false, qkvo, 28, 1f);
            glue.fillUniform(bf, false, 2 * p, 29, 1f);
            glue.fillUniform(base, false, e, 30, 1f);

            glue.rmsNorm(x, nw, nb, 1, e, eps, xn, true);
            gemv.gemv(xn, true, wq, bq, y0, e, qkvo, 1, false, capFrom, cap);
            gemv.rmsGemv(x, nw, nb, eps, wq, bq, y1, e, qkvo, capFrom, cap);
            ok &= report("rms norm + product q|k|v|o|i|f, bias, soft-capped tail", difference(ctx, y0, y1, qkvo), 1e-3);

            glue.rmsNorm(x, nw, nb, 1, e, eps, xn, true);
            gemv.gemv(xn, true, wf, bf, ffn, e, 2 * p, 1, false);
            gen.launch("ffn_swiglu_apply", 1, p, new DevicePointer(ffn), new DevicePointer(ffn + 4L * p),
                    new DevicePointer(y0));
            gemv.rmsSwiglu(x, nw, nb, eps, wf, bf, y1, e, p, false);
            ok &= report("rms norm + product gate|up, bias + swiglu", difference(ctx, y0, y1, p), 1e-3);

            for (int head : new int[] {dh, 64}) { // the 7B's heads, and heads of half a warp's slice
                ctx.copyAsync(y0, base, 4L * e);
                ctx.copyAsync(y1, base, 4L * e);
                glue.headNorm(x, nw, nb, 1, 1, e / head, head, eps, hn);
                gen.launch("sigmoid_gate_apply", 1, e, new DevicePointer(o), new DevicePointer(hn),
                        new DevicePointer(gated));
                gemv.gemv(gated, false, wo, 0, y0, e, e, 1, true);
                gemv.headNormGate(x, o, nw, nb, eps, head, wo, y1, e, e, true);
                ok &= report("head norm (heads of " + head + ") + output gate + product out, residual",
                        difference(ctx, y0, y1, e), 1e-5);
            }

            double gb = 2.0 * 2 * p * e / 1e9;
            double ts = millis(ctx, () -> {
                glue.rmsNorm(x, nw, nb, 1, e, eps, xn, true);
                gemv.gemv(xn, true, wf, bf, ffn, e, 2 * p, 1, false);
                gen.launch("ffn_swiglu_apply", 1, p, new DevicePointer(ffn), new DevicePointer(ffn + 4L * p),
                        new DevicePointer(y0));
            });
            double tf = millis(ctx, () -> gemv.rmsSwiglu(x, nw, nb, eps, wf, bf, y1, e, p, false));
            System.out.printf(Locale.ROOT, "time rms norm + gate|up + swiglu: three launches %.1f us, fused %.1f us"
                    + " (%.0f GB/s)%n", ts * 1e3, tf * 1e3, gb / tf * 1e3);
        }
        return ok;
    }

    private static boolean report(String what, double[] d, double tol) {
        return report("fused", what, d, tol);
    }

    /** Prints "PASS|FAIL KIND WHAT: max err ..." for d = {max |a - b|, max |a|}; whether d[0] / d[1] <= tol. */
    static boolean report(String kind, String what, double[] d, double tol) {
        double rel = d[0] / Math.max(d[1], Double.MIN_NORMAL);
        boolean pass = rel <= tol;
        System.out.printf(Locale.ROOT, "%s %s %s: max err %.3g of max|y| %.3g (rel %.2g, tol %.0g)%n",
                pass ? "PASS" : "FAIL", kind, what, d[0], d[1], rel, tol);
        return pass;
    }

    /** {max |a - b|, max |a|} over n floats at a and b. */
    static double[] difference(CudaContext ctx, long a, long b, long n) {
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

    /**
     * Median device milliseconds of {@code work} over 50 runs after 1000 warm-ups (the clocks settle: with 50, the
     * first shape timed read 0.57-0.78x of cuBLAS in every run, 1.12-1.14x with 1000).
     */
    static double millis(CudaContext ctx, Runnable work) {
        try (CuEvent start = ctx.event(); CuEvent end = ctx.event()) {
            for (int i = 0; i < 1000; i++) work.run();
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
