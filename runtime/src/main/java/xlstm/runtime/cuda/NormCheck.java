package xlstm.runtime.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Locale;
import xlstm.runtime.backend.DevicePointer;
import xlstm.runtime.backend.ResidentKernels;

/**
 * {@code java ... xlstm.runtime.cuda.NormCheck}: the norms' forms for a prompt's many rows (large_glue.cu's
 * {@code xl_rmsnorm_rows}, {@code xl_headnorm_warps}, {@code xl_headnorm_rows}) against their one-block-a-row forms
 * on the same random rows, which {@link GlueKernels} runs for fewer than {@link GlueKernels#MANY_ROWS} rows (so the
 * reference is the same call in slices). Shapes take the 16-byte paths and the fallbacks; outputs float32 and bf16
 * (RMS norm; the head norm's warp form against the float32 reference). Every float32 output must agree to 1e-5 of the largest magnitude (the sums are added in other
 * orders), every bf16 output to one bf16 step at that magnitude (2^-7 of it), or exit 1. The same holds for the
 * head norm with the output gate in one launch against the two launches it replaces. The device-resident model's check (DeviceLargeCheck) has too few rows to reach these forms.
 */
public final class NormCheck {
    private NormCheck() {}

    static final double TOLERANCE = 1e-5;

    public static void main(String[] args) {
        boolean ok = true;
        try (ResidentKernels gen = ResidentKernels.get()) {
            GlueKernels glue = new GlueKernels(gen.context());
            for (int e : new int[] {4096, 4100, 1001})
                for (boolean bf16 : new boolean[] {false, true}) ok &= rms(gen, glue, 300, e, bf16);
            // (heads, values): the warps' 16-byte form at the 7B head and a shorter one, the registers' form for DHV % 4 != 0
            for (int[] hv : new int[][] {{8, 512}, {4, 200}, {4, 130}}) ok &= head(gen, glue, 4, 25, hv[0], hv[1], false);
            ok &= head(gen, glue, 4, 25, 8, 512, true); // the warps' form writing bf16 (for the output gate's twin)
            // the head norm with the output gate in one launch against the two launches it replaces, in the three
            // dtype forms DeviceLarge uses (o and the norm bf16, y bf16; y bf16; all float32)
            // (batch, steps, heads, values): a prompt's many rows, a batched step's few, a shorter head
            // (the bf16 head norm of the _bf16io twin's reference exists for many rows only, as in DeviceLarge)
            for (int[] sh : new int[][] {{4, 25, 8, 512}, {2, 1, 8, 512}, {4, 25, 4, 200}}) {
                boolean many = (long) sh[0] * sh[1] * sh[2] >= GlueKernels.MANY_ROWS;
                for (String twin : new String[] {"sigmoid_gate_apply_bf16io", "sigmoid_gate_apply_bf16", "sigmoid_gate_apply"}) {
                    if (many || !twin.endsWith("_bf16io")) ok &= headGate(gen, glue, sh[0], sh[1], sh[2], sh[3], twin);
                }
            }
        }
        System.exit(ok ? 0 : 1);
    }

    /** RMS norm of rows x e: all rows at once against slices of 100 rows. */
    private static boolean rms(ResidentKernels gen, GlueKernels glue, int rows, int e, boolean bf16) {
        int el = bf16 ? 2 : 4, slice = 100;
        try (DeviceBuffers mem = new DeviceBuffers(gen.context())) {
            long x = mem.alloc(4L * rows * e), w = mem.alloc(4L * e), b = mem.alloc(4L * e);
            long y = mem.alloc((long) el * rows * e), ref = mem.alloc((long) el * rows * e);
            glue.fillUniform(x, false, (long) rows * e, 41, 3f);
            glue.fillUniform(w, false, e, 42, 1f);
            glue.fillUniform(b, false, e, 43, 1f);
            glue.rmsNorm(x, w, b, rows, e, 1e-6f, y, bf16);
            for (int r = 0; r < rows; r += slice)
                glue.rmsNorm(x + 4L * r * e, w, b, Math.min(slice, rows - r), e, 1e-6f, ref + (long) el * r * e, bf16);
            return report(gen, "rms norm " + rows + "x" + e + (bf16 ? " -> bf16" : ""), y, ref, (long) rows * e, bf16);
        }
    }

    /**
     * Head norm of h (batch, nh, s, dhv): all at once (in bf16 with {@code bf16}) against one batch row at a time
     * (nh * s rows each, float32).
     */
    private static boolean head(ResidentKernels gen, GlueKernels glue, int batch, int s, int nh, int dhv, boolean bf16) {
        long n = (long) batch * nh * s * dhv, per = (long) nh * s * dhv;
        try (DeviceBuffers mem = new DeviceBuffers(gen.context())) {
            long h = mem.alloc(4 * n), w = mem.alloc(4L * nh * dhv), b = mem.alloc(4L * nh * dhv);
            long y = mem.alloc(4 * n), ref = mem.alloc(4 * n);
            glue.fillUniform(h, false, n, 51, 3f);
            glue.fillUniform(w, false, (long) nh * dhv, 52, 1f);
            glue.fillUniform(b, false, (long) nh * dhv, 53, 1f);
            glue.headNorm(h, w, b, batch * s, s, nh, dhv, 1e-6f, y, bf16);
            for (int bb = 0; bb < batch; bb++) glue.headNorm(h + 4 * bb * per, w, b, s, s, nh, dhv, 1e-6f, ref + 4 * bb * per);
            return report(gen, "head norm " + batch + "x" + nh + "x" + s + "x" + dhv + (bf16 ? " -> bf16" : ""), y, ref,
                    n, bf16, false);
        }
    }

    /**
     * {@link GlueKernels#headNormGate} against the head norm then the generated output gate {@code twin}: the same
     * operations in the same order, but the generated kernel is compiled by nvcc at build time and this one by the
     * device's NVRTC (float32: 21 % of the outputs differed, all within the class's tolerance, on the H200,
     * 2026-11-29), so the class's tolerances hold rather than bit equality.
     */
    private static boolean headGate(ResidentKernels gen, GlueKernels glue, int batch, int s, int nh, int dhv,
            String twin) {
        boolean io = twin.endsWith("_bf16io"), yBf16 = io || twin.endsWith("_bf16");
        long n = (long) batch * nh * s * dhv;
        int t = batch * s;
        try (DeviceBuffers mem = new DeviceBuffers(gen.context())) {
            long h = mem.alloc(4 * n), w = mem.alloc(4L * nh * dhv), b = mem.alloc(4L * nh * dhv);
            long o = mem.alloc(4 * n), oB = mem.alloc(2 * n), hn = mem.alloc(4 * n);
            long y = mem.alloc(4 * n), ref = mem.alloc(4 * n);
            glue.fillUniform(h, false, n, 61, 3f);
            glue.fillUniform(w, false, (long) nh * dhv, 62, 1f);
            glue.fillUniform(b, false, (long) nh * dhv, 63, 1f);
            glue.fillUniform(o, false, n, 64, 4f);
            glue.toBf16(o, oB, n);
            long oIn = io ? oB : o;
            glue.headNorm(h, w, b, t, s, nh, dhv, 1e-6f, hn, io);
            gen.launch(twin, 1, (int) n, new DevicePointer(oIn), new DevicePointer(hn), new DevicePointer(ref));
            glue.headNormGate(h, w, b, t, s, nh, dhv, 1e-6f, oIn, io, y, yBf16);
            return report(gen, "head norm + output gate " + batch + "x" + nh + "x" + s + "x" + dhv
                    + " against head norm, " + twin, y, ref, n, yBf16);
        }
    }

    private static boolean report(ResidentKernels gen, String what, long y, long ref, long n, boolean bf16) {
        return report(gen, what, y, ref, n, bf16, bf16);
    }

    /** y (bf16 with {@code bf16}) against ref (bf16 with {@code refBf16}). */
    private static boolean report(ResidentKernels gen, String what, long y, long ref, long n, boolean bf16,
            boolean refBf16) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment a = arena.allocate((bf16 ? 2 : 4) * n, 16), r = arena.allocate((refBf16 ? 2 : 4) * n, 16);
            gen.context().readAsyncAt(y, a);
            gen.context().readAsyncAt(ref, r);
            gen.context().synchronize("reading " + what);
            double maxErr = 0, maxRef = 0;
            for (long i = 0; i < n; i++) {
                float got = bf16 ? bf16At(a, i) : a.getAtIndex(ValueLayout.JAVA_FLOAT, i);
                float want = refBf16 ? bf16At(r, i) : r.getAtIndex(ValueLayout.JAVA_FLOAT, i);
                maxErr = Math.max(maxErr, Double.isNaN(got) ? Double.POSITIVE_INFINITY : Math.abs(got - want));
                maxRef = Math.max(maxRef, Math.abs(want));
            }
            // bf16 outputs: nearly equal floats may round one bf16 step apart, at most 2^-7 of the value
            double tol = (bf16 ? 1.0 / 128 : TOLERANCE) * maxRef;
            boolean pass = maxErr <= tol;
            System.out.printf(Locale.ROOT, "%s %s: max err %.3g of max|ref| %.3g (tol %.3g)%n", pass ? "PASS" : "FAIL",
                    what, maxErr, maxRef, tol);
            return pass;
        }
    }

    private static float bf16At(MemorySegment s, long i) {
        return Float.intBitsToFloat(Short.toUnsignedInt(s.getAtIndex(ValueLayout.JAVA_SHORT, i)) << 16);
    }
}
