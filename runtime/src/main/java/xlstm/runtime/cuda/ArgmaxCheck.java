package xlstm.runtime.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Locale;
import java.util.SplittableRandom;
import xlstm.backends.cpu.CpuReduce;
import xlstm.runtime.backend.ResidentKernels;

/**
 * {@code java ... xlstm.runtime.cuda.ArgmaxCheck}: choice.cu's {@code xl_argmax} (greedy decoding's token on
 * the device) against the CPU's {@link CpuReduce#argmax} on the same rows: random rows, a maximum repeated (the first
 * index wins), a NaN after a larger number and two NaNs (the first NaN wins), a row of equal values, at the 7B
 * vocabulary (16-byte loads) and at widths whose rows are not 16-byte aligned (element loads); and over the first n
 * of each row only (a tokenizer smaller than the embedding: GPT-NeoX's 50277 and GPT-2's 50257 of 50304), with the
 * largest values put in the rows' excluded ends. Every index must be equal, or exit 1.
 */
public final class ArgmaxCheck {
    private ArgmaxCheck() {}

    public static void main(String[] args) {
        boolean ok = true;
        try (ResidentKernels gen = ResidentKernels.get()) {
            ChoiceKernels choice = new ChoiceKernels(gen.context());
            for (int[] rv : new int[][] {{1, 50304}, {6, 50304}, {6, 1001}, {6, 4}, {6, 7}, {3, 262144}}) {
                ok &= check(gen, choice, rv[0], rv[1], rv[1]);
            }
            for (int[] rvn : new int[][] {{1, 50304, 50277}, {6, 50304, 50277}, {6, 50304, 50257}, {6, 1001, 999}}) {
                ok &= check(gen, choice, rvn[0], rvn[1], rvn[2]);
            }
        }
        System.exit(ok ? 0 : 1);
    }

    private static boolean check(ResidentKernels gen, ChoiceKernels choice, int rows, int v, int n) {
        SplittableRandom rnd = new SplittableRandom(31L * rows + v);
        float[] x = new float[rows * v];
        for (int i = 0; i < x.length; i++) x[i] = (float) (rnd.nextDouble() * 20 - 10);
        for (int r = 1; r < rows; r++) { // row 0 stays random
            int at = r * v, late = n - 1 - rnd.nextInt(Math.max(1, n / 3)), early = rnd.nextInt(Math.max(1, n / 3));
            switch (r % 5) {
                case 1 -> { x[at + early] = 50; x[at + late] = 50; }                 // the first of two maxima
                case 2 -> { x[at + early] = 50; x[at + late] = Float.NaN; }          // a NaN beats a larger number
                case 3 -> { for (int j = 0; j < v; j++) x[at + j] = 1.5f; }          // all equal: index 0
                case 4 -> { x[at + early] = Float.NaN; x[at + late] = Float.NaN; }  // the first NaN
                default -> x[at + late] = 50;                                        // a late maximum
            }
        }
        for (int r = 0; r < rows; r++) { // beyond n: larger than anything the arg-max may pick
            for (int j = n; j < v; j++) x[r * v + j] = r % 2 == 0 ? 1000 : Float.NaN;
        }
        try (DeviceBuffers mem = new DeviceBuffers(gen.context()); Arena arena = Arena.ofConfined()) {
            long logits = mem.alloc(4L * rows * v), ids = mem.alloc(8L * rows);
            MemorySegment host = arena.allocateFrom(ValueLayout.JAVA_FLOAT, x); // native: the CPU's vector loads
            gen.context().writeAt(logits, host);
            choice.argmax(logits, rows, v, n, ids);
            MemorySegment got = arena.allocate(8L * rows, 8);
            gen.context().readAsyncAt(ids, got);
            gen.context().synchronize("arg-max of " + rows + " x " + v + " (first " + n + ")");
            int wrong = 0;
            for (int r = 0; r < rows; r++) {
                long want = CpuReduce.argmax(host, (long) r * v, n), have = got.getAtIndex(ValueLayout.JAVA_LONG, r);
                if (want != have) {
                    wrong++;
                    System.out.printf(Locale.ROOT, "  row %d: device %d, CPU %d%n", r, have, want);
                }
            }
            System.out.printf(Locale.ROOT, "%s arg-max %d rows x %d (first %d): %d of %d indices differ%n",
                    wrong == 0 ? "PASS" : "FAIL", rows, v, n, wrong, rows);
            return wrong == 0;
        }
    }
}
