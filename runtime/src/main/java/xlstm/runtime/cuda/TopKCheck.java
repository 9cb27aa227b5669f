package xlstm.runtime.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import xlstm.runtime.backend.ResidentKernels;

/**
 * {@code java ... xlstm.runtime.cuda.TopKCheck}: choice.cu's {@code xl_topk} (top-k sampling's candidates on the
 * device) against the CPU on the same rows: the k first ids of the sampler's order (logits descending, a NaN as
 * -inf, ties to the smaller ids) must be the device's k ids, as a set, with their logits. Rows: random, many ties
 * (a few distinct values, so the k-th is tied), NaN and infinite values, all equal, at the 7B vocabulary and at
 * widths that are not multiples of 4, over the first n of each row only (the excluded ends hold the largest
 * values), for k = 1, 5, 50 and 256. Exit 1 on any difference.
 */
public final class TopKCheck {
    private TopKCheck() {}

    public static void main(String[] args) {
        boolean ok = true;
        try (ResidentKernels gen = ResidentKernels.get()) {
            ChoiceKernels choice = new ChoiceKernels(gen.context());
            for (int[] rvn : new int[][] {{6, 50304, 50304}, {6, 50304, 50277}, {6, 1001, 999}, {3, 300, 300}}) {
                for (int k : new int[] {1, 5, 50, 256}) {
                    if (k <= rvn[2]) ok &= check(gen, choice, rvn[0], rvn[1], rvn[2], k);
                }
            }
        }
        System.exit(ok ? 0 : 1);
    }

    private static boolean check(ResidentKernels gen, ChoiceKernels choice, int rows, int v, int n, int k) {
        SplittableRandom rnd = new SplittableRandom(31L * rows + v + 7L * k);
        float[] x = new float[rows * v];
        for (int r = 0; r < rows; r++) {
            int at = r * v;
            for (int j = 0; j < v; j++) {
                x[at + j] = switch (r % 6) {
                    case 1 -> rnd.nextInt(4);                                        // ties at the k-th
                    case 3 -> 1.5f;                                                  // all equal: ids 0..k-1
                    default -> (float) (rnd.nextDouble() * 20 - 10);
                };
            }
            if (r % 6 == 2) { // NaN (as -inf) and infinities
                for (int u = 0; u < 20; u++) x[at + rnd.nextInt(n)] = Float.NaN;
                x[at + rnd.nextInt(n)] = Float.POSITIVE_INFINITY;
                x[at + rnd.nextInt(n)] = Float.NEGATIVE_INFINITY;
            }
            if (r % 6 == 4) for (int j = 0; j < n; j++) x[at + j] = j % 3 == 0 ? Float.NaN : x[at + j]; // many NaN
            for (int j = n; j < v; j++) x[at + j] = 1000; // beyond n: larger than anything the top-k may pick
        }
        try (DeviceBuffers mem = new DeviceBuffers(gen.context()); Arena arena = Arena.ofConfined()) {
            long logits = mem.alloc(4L * rows * v), vals = mem.alloc(4L * rows * k), ids = mem.alloc(4L * rows * k);
            MemorySegment host = arena.allocateFrom(ValueLayout.JAVA_FLOAT, x);
            gen.context().writeAt(logits, host);
            choice.topK(logits, rows, v, n, k, vals, ids);
            MemorySegment gv = arena.allocate(4L * rows * k, 4), gi = arena.allocate(4L * rows * k, 4);
            gen.context().readAsyncAt(vals, gv);
            gen.context().readAsyncAt(ids, gi);
            gen.context().synchronize("top-" + k + " of " + rows + " x " + v + " (first " + n + ")");
            int wrong = 0;
            for (int r = 0; r < rows; r++) {
                int[] want = firstK(x, r * v, n, k), have = new int[k];
                float[] haveVals = new float[k];
                for (int j = 0; j < k; j++) {
                    have[j] = gi.getAtIndex(ValueLayout.JAVA_INT, (long) r * k + j);
                    haveVals[j] = gv.getAtIndex(ValueLayout.JAVA_FLOAT, (long) r * k + j);
                }
                boolean valuesMatch = true;
                for (int j = 0; j < k; j++) {
                    int id = have[j];
                    valuesMatch &= id >= 0 && id < n && Float.floatToRawIntBits(haveVals[j]) == Float.floatToRawIntBits(x[r * v + id]);
                }
                int[] sortedHave = have.clone();
                Arrays.sort(sortedHave);
                if (!Arrays.equals(want, sortedHave) || !valuesMatch) {
                    wrong++;
                    System.out.printf(Locale.ROOT, "  row %d: device %s, CPU %s%s%n", r, brief(sortedHave), brief(want),
                            valuesMatch ? "" : " (values differ)");
                }
            }
            System.out.printf(Locale.ROOT, "%s top-%d of %d rows x %d (first %d): %d of %d rows differ%n",
                    wrong == 0 ? "PASS" : "FAIL", k, rows, v, n, wrong, rows);
            return wrong == 0;
        }
    }

    /** The sampler's first k ids of x[at..at+n), ascending. */
    private static int[] firstK(float[] x, int at, int n, int k) {
        long[] keys = new long[n];
        for (int j = 0; j < n; j++) {
            float f = Float.isNaN(x[at + j]) ? Float.NEGATIVE_INFINITY : x[at + j];
            int bits = Float.floatToIntBits(f);
            keys[j] = ((long) ~(bits >= 0 ? bits : bits ^ 0x7fffffff) << 32) | j;
        }
        Arrays.sort(keys);
        int[] ids = new int[k];
        for (int j = 0; j < k; j++) ids[j] = (int) keys[j];
        Arrays.sort(ids);
        return ids;
    }

    private static String brief(int[] ids) {
        return ids.length <= 8 ? Arrays.toString(ids) : Arrays.toString(Arrays.copyOf(ids, 8)).replace("]", ", ...]");
    }
}
