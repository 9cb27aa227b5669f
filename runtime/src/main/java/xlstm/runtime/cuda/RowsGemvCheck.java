package xlstm.runtime.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Locale;
import xlstm.backends.cuda.Cublas;
import xlstm.backends.cuda.CudaContext;
import xlstm.runtime.backend.ResidentKernels;

/**
 * {@code java ... xlstm.runtime.cuda.RowsGemvCheck}: our products of a few rows ({@link RowsGemvKernels}) against
 * cuBLAS on the 7B decode shapes (q|k|v|o|i|f, gate|up, down, out, LM head) and small ones, at 2, 5, 8, 9 and 16
 * rows of bf16 x, on the same random inputs: the largest difference relative to the largest output (both multiply
 * the same bf16 numbers in float32, only the order of the sums differs: 1e-4), plain and onto a residual; gate|up
 * with SwiGLU against cuBLAS's gate|up and SwiGLU computed here (float32 output 1e-4; bf16 output, rounded once:
 * 1e-2); a decode step's fused projection written into the cell's layouts (bias, gates soft-capped) against
 * cuBLAS's product split and capped here (1e-4); and at 2, 8 and 16 rows each one's device time against cuBLAS's (median of 50 after warm-up, GemvCheck.millis), as GB/s
 * of weights. Exit 1 when a difference is over its tolerance.
 */
public final class RowsGemvCheck {
    private RowsGemvCheck() {}

    public static void main(String[] args) {
        int[][] shapes = {{12304, 4096}, {21888, 4096}, {4096, 10944}, {4096, 4096}, {50304, 4096}, {776, 256}, {136, 192}, {100, 128}};
        int[] rowCounts = {2, 5, 8, 9, 16};
        boolean ok = true;
        try (ResidentKernels gen = ResidentKernels.get(); Cublas blas = Cublas.on(gen.context())) {
            CudaContext ctx = gen.context();
            GlueKernels glue = new GlueKernels(ctx);
            RowsGemvKernels rows = new RowsGemvKernels(ctx);
            for (int[] sh : shapes) {
                int out = sh[0], in = sh[1], maxRows = RowsGemvKernels.MAX_ROWS;
                try (DeviceBuffers mem = new DeviceBuffers(ctx)) {
                    long w = mem.alloc(2L * out * in), x = mem.alloc(2L * maxRows * in);
                    long y0 = mem.alloc(4L * maxRows * out), y1 = mem.alloc(4L * maxRows * out);
                    long base = mem.alloc(4L * maxRows * out);
                    glue.fillUniform(w, true, (long) out * in, 31, (float) (1 / Math.sqrt(in)));
                    glue.fillUniform(x, true, (long) maxRows * in, 32, 1f);
                    glue.fillUniform(base, false, (long) maxRows * out, 33, 1f);
                    for (int t : rowCounts) {
                        for (boolean acc : new boolean[] {false, true}) {
                            ctx.copyAsync(y0, base, 4L * t * out);
                            ctx.copyAsync(y1, base, 4L * t * out);
                            blas.linear(x, w, Cublas.R_16BF, y0, t, in, out, acc, false);
                            rows.product(x, w, y1, t, in, out, out, acc);
                            ok &= report(String.format(Locale.ROOT, "%dx%d, %d rows%s", out, in, t, acc ? ", residual" : ""),
                                    GemvCheck.difference(ctx, y0, y1, (long) t * out), 1e-4);
                        }
                        if (out % 2 == 0) ok &= swiglu(ctx, blas, rows, mem, x, w, t, in, out / 2);
                    }
                    if (out == 12304 || out == 776) {
                        // a fused projection: 7B (q, k 2048, v, o 4096, gates 8 + 8) and small (64, 128, 2 x 196)
                        int qk = out == 12304 ? 2048 : 64, vo = out == 12304 ? 4096 : 128;
                        for (int t : new int[] {2, 9}) ok &= parts(ctx, blas, rows, mem, x, w, base, t, in, out, qk, vo);
                    }
                    if (out >= 4096) {
                        for (int t : new int[] {2, 8, 16}) {
                            double gb = 2.0 * out * in / 1e9;
                            double tb = GemvCheck.millis(ctx, () -> blas.linear(x, w, Cublas.R_16BF, y0, t, in, out, false, false));
                            double tr = GemvCheck.millis(ctx, () -> rows.product(x, w, y1, t, in, out, out, false));
                            System.out.printf(Locale.ROOT, "time %dx%d, %d rows: cuBLAS %.1f us (%.0f GB/s), ours %.1f us"
                                    + " (%.0f GB/s, split %d): cuBLAS/ours %.2fx%n", out, in, t, tb * 1e3, gb / tb * 1e3,
                                    tr * 1e3, gb / tr * 1e3, RowsGemvKernels.split(RowsGemvKernels.groups(out, false), in / 64), tb / tr);
                        }
                    }
                }
            }
        }
        System.exit(ok ? 0 : 1);
    }

    /** gate|up (w's 2p rows) and SwiGLU of t rows: ours in one launch, float32 and bf16 out, against cuBLAS + here. */
    private static boolean swiglu(CudaContext ctx, Cublas blas, RowsGemvKernels rows, DeviceBuffers mem, long x, long w,
            int t, int in, int p) {
        long ffn = mem.alloc(4L * t * 2 * p), y = mem.alloc(4L * t * p), yb = mem.alloc(2L * t * p);
        blas.linear(x, w, Cublas.R_16BF, ffn, t, in, 2 * p, false, false); // (t, 2p): gate then up per row
        rows.swiglu(x, w, y, t, in, p, false);
        rows.swiglu(x, w, yb, t, in, p, true);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment hf = arena.allocate(4L * t * 2 * p, 16), hy = arena.allocate(4L * t * p, 16);
            MemorySegment hb = arena.allocate(2L * t * p, 16);
            ctx.readAsyncAt(ffn, hf);
            ctx.readAsyncAt(y, hy);
            ctx.readAsyncAt(yb, hb);
            ctx.synchronize("reading the products");
            double err = 0, errB = 0, ref = 0;
            for (int b = 0; b < t; b++) {
                for (int o = 0; o < p; o++) {
                    double g = hf.getAtIndex(ValueLayout.JAVA_FLOAT, (long) b * 2 * p + o);
                    double u = hf.getAtIndex(ValueLayout.JAVA_FLOAT, (long) b * 2 * p + p + o);
                    double want = g / (1 + Math.exp(-g)) * u;
                    double got = hy.getAtIndex(ValueLayout.JAVA_FLOAT, (long) b * p + o);
                    double gotB = Float.intBitsToFloat((hb.getAtIndex(ValueLayout.JAVA_SHORT, (long) b * p + o) & 0xffff) << 16);
                    err = Math.max(err, Double.isNaN(got) ? Double.POSITIVE_INFINITY : Math.abs(got - want));
                    errB = Math.max(errB, Double.isNaN(gotB) ? Double.POSITIVE_INFINITY : Math.abs(gotB - want));
                    ref = Math.max(ref, Math.abs(want));
                }
            }
            String what = String.format(Locale.ROOT, "gate|up %dx%d + swiglu, %d rows", 2 * p, in, t);
            return report(what + ", float32 out", new double[] {err, ref}, 1e-4)
                    & report(what + ", bf16 out", new double[] {errB, ref}, 1e-2);
        }
    }

    /**
     * A decode step's fused projection of t rows with a bias (base's first out floats), written into the cell's
     * layouts with the gates soft-capped at 15 (RowsGemvKernels.projectParts), against cuBLAS's product, the bias, the
     * split and the soft-cap done here.
     */
    private static boolean parts(CudaContext ctx, Cublas blas, RowsGemvKernels rows, DeviceBuffers mem, long x, long w,
            long bias, int t, int in, int out, int qk, int vo) {
        int ng = (out - 2 * qk - 2 * vo) / 2;
        float cap = 15f;
        long prod = mem.alloc(4L * t * out), dst = mem.alloc(4L * t * out);
        long q = dst, k = q + 4L * t * qk, v = k + 4L * t * qk, o = v + 4L * t * vo, gi = o + 4L * t * vo, gf = gi + 4L * t * ng;
        blas.linear(x, w, Cublas.R_16BF, prod, t, in, out, false, false);
        rows.projectParts(x, w, bias, t, in, out, new RowsGemvKernels.Parts(q, k, v, o, gi, gf, qk, vo, cap));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment hp = arena.allocate(4L * t * out, 16), hd = arena.allocate(4L * t * out, 16);
            MemorySegment hb = arena.allocate(4L * out, 16);
            ctx.readAsyncAt(prod, hp);
            ctx.readAsyncAt(dst, hd);
            ctx.readAsyncAt(bias, hb);
            ctx.synchronize("reading the projections");
            double err = 0, ref = 0;
            int[] width = {qk, qk, vo, vo, ng, ng};
            for (int b = 0; b < t; b++) {
                for (int c = 0, part = 0, start = 0, at = 0; c < out; c++) {
                    while (c - start >= width[part]) { at += t * width[part]; start += width[part]; part++; }
                    double want = hp.getAtIndex(ValueLayout.JAVA_FLOAT, (long) b * out + c) + hb.getAtIndex(ValueLayout.JAVA_FLOAT, c);
                    if (part >= 4) want = cap * Math.tanh(want / cap);
                    double got = hd.getAtIndex(ValueLayout.JAVA_FLOAT, at + (long) b * width[part] + c - start);
                    err = Math.max(err, Double.isNaN(got) ? Double.POSITIVE_INFINITY : Math.abs(got - want));
                    ref = Math.max(ref, Math.abs(want));
                }
            }
            return report(String.format(Locale.ROOT, "projection %dx%d into the cell's layouts, bias, gates soft-capped, %d rows",
                    out, in, t), new double[] {err, ref}, 1e-4);
        }
    }

    private static boolean report(String what, double[] d, double tol) {
        return GemvCheck.report("rows gemv", what, d, tol);
    }
}
