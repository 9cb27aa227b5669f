package xlstm.runtime.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import xlstm.runtime.backend.CudaKernels;
import xlstm.runtime.backend.DevicePointer;
import xlstm.runtime.backend.KernelIndex;
import xlstm.runtime.backend.ResidentKernels;

/**
 * {@code java ... xlstm.runtime.cuda.Bf16OutCheck}: every elementwise kernel's bf16 twins (CUDA: {@code <entry>_bf16},
 * bf16 outputs, and {@code <entry>_bf16io}, bf16 vector inputs too) against the float32 kernel on the same random
 * inputs (for an io twin, bf16 values, which the float32 kernel reads as floats), on the 4-wide path (N = 4096) and the
 * scalar one (N = 1001): each bf16 output must be the float32 output rounded to nearest even, or one bf16 step from
 * it (the two kernels are compiled apart, so a contracted multiply-add may differ in the last float bit). Exit 1
 * otherwise.
 */
public final class Bf16OutCheck {
    private Bf16OutCheck() {}

    /** The twins' entry suffixes (codegen's {@code CFamilyEmitter.BF16_OUT}, {@code BF16_IO}). */
    static final String BF16_OUT = "_bf16", BF16_IO = "_bf16io";

    public static void main(String[] args) {
        boolean ok = true;
        KernelIndex index = CudaKernels.index();
        try (ResidentKernels gen = ResidentKernels.get()) {
            GlueKernels glue = new GlueKernels(gen.context());
            for (KernelIndex.Entry twin : index.entries()) {
                String base = base(twin);
                if (base == null || index.get(base) == null) continue;
                for (int n : new int[] {4096, 1001}) ok &= check(gen, glue, index.get(base), twin, 3, n);
            }
        }
        System.exit(ok ? 0 : 1);
    }

    /** The float32 kernel's entry of a twin, or null when {@code twin} is none. */
    private static String base(KernelIndex.Entry twin) {
        String e = twin.entry();
        for (String suffix : new String[] {BF16_IO, BF16_OUT}) if (e.endsWith(suffix)) return e.substring(0, e.length() - suffix.length());
        return null;
    }

    /** One shape: rows x n, inputs uniform in [-4, 4], float parameters 0.75. */
    private static boolean check(ResidentKernels gen, GlueKernels glue, KernelIndex.Entry f32, KernelIndex.Entry twin,
            int rows, int n) {
        List<KernelIndex.Param> ps = f32.params().subList(0, f32.params().size() - 1); // less the scratch buffer
        long count = (long) rows * n;
        try (DeviceBuffers mem = new DeviceBuffers(gen.context()); Arena arena = Arena.ofConfined()) {
            Object[] a32 = new Object[ps.size()], a16 = new Object[ps.size()];
            List<long[]> outs = new ArrayList<>(); // {float32 output, bf16 output}
            for (int i = 0; i < ps.size(); i++) {
                KernelIndex.Param p = ps.get(i);
                if (p.type().equals("int")) a32[i] = p.name().equals("rows") ? rows : n;
                else if (p.type().equals("float")) a32[i] = 0.75f;
                else if (!p.written() && twin.params().get(i).type().contains("unsigned short")) {
                    // a bf16 input: the float32 kernel reads the same values as floats
                    long in = mem.alloc(4 * count), inB = mem.alloc(2 * count);
                    glue.fillUniform(inB, true, count, 31 + i, 4f);
                    MemorySegment b = arena.allocate(2 * count, 16), f = arena.allocate(4 * count, 16);
                    gen.context().readAsyncAt(inB, b);
                    gen.context().synchronize("reading bf16 inputs");
                    for (long j = 0; j < count; j++)
                        f.setAtIndex(ValueLayout.JAVA_FLOAT, j, Float.intBitsToFloat(b.getAtIndex(ValueLayout.JAVA_SHORT, j) << 16));
                    gen.context().writeAsyncAt(in, f);
                    gen.context().synchronize("writing float32 inputs");
                    a32[i] = new DevicePointer(in);
                    a16[i] = new DevicePointer(inB);
                } else if (!p.written()) {
                    long in = mem.alloc(4 * count);
                    glue.fillUniform(in, false, count, 31 + i, 4f);
                    a32[i] = new DevicePointer(in);
                } else {
                    long[] o = {mem.alloc(4 * count), mem.alloc(2 * count)};
                    outs.add(o);
                    a32[i] = new DevicePointer(o[0]);
                    a16[i] = new DevicePointer(o[1]);
                }
                if (a16[i] == null) a16[i] = a32[i];
            }
            gen.launch(f32.entry(), a32);
            gen.launch(twin.entry(), a16);
            long exact = 0, near = 0, off = 0;
            for (long[] o : outs) {
                MemorySegment y = arena.allocate(4 * count, 16), yb = arena.allocate(2 * count, 16);
                gen.context().readAsyncAt(o[0], y);
                gen.context().readAsyncAt(o[1], yb);
                gen.context().synchronize("reading " + twin.entry());
                for (long i = 0; i < count; i++) {
                    int want = roundBf16(y.getAtIndex(ValueLayout.JAVA_FLOAT, i));
                    int got = Short.toUnsignedInt(yb.getAtIndex(ValueLayout.JAVA_SHORT, i));
                    if (got == want) exact++;
                    else if (Math.abs(got - want) == 1) near++;
                    else off++;
                }
            }
            boolean pass = off == 0;
            System.out.printf(Locale.ROOT, "%s %s %dx%d: %d outputs equal to the float32 kernel's rounded, %d one bf16 "
                    + "step away, %d further%n", pass ? "PASS" : "FAIL", twin.entry(), rows, n, exact, near, off);
            return pass;
        }
    }

    /** The bf16 bits of x rounded to nearest even (NaN stays a NaN). */
    static int roundBf16(float x) {
        int b = Float.floatToRawIntBits(x);
        if (Float.isNaN(x)) return (b >>> 16) | 0x40;
        return (b + 0x7fff + ((b >>> 16) & 1)) >>> 16;
    }
}
