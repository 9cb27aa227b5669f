package xlstm.runtime.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import xlstm.backends.cuda.CuEvent;
import xlstm.runtime.backend.ResidentKernels;
import xlstm.runtime.generation.Sampler;
import xlstm.runtime.generation.SamplingParams;

/**
 * {@code java ... xlstm.runtime.cuda.SampleCheck}: choice.cu's {@code xl_sample} (a draw on the device) against
 * the host's {@link Sampler} on the same rows with the same random numbers, in both its forms (a row on one
 * work-group, and on a thread-block cluster where the device has them): two samplers of one seed a row, one
 * giving its numbers to the device ({@link Sampler#nextUniform}), the other drawing from the logits; every token
 * must match. Rows: normal logits (a few large, many small, like a trained model's), many ties, NaN and -inf among
 * them, a +inf, all NaN, all equal; at the 7B vocabulary (all ids, and the first 50277), and at odd widths; params:
 * temperatures alone, top-p, top-k from 1 to 1001, top-k with top-p. (Top-p values are chosen so that no row's
 * cumulative share lands exactly on p, where the host's floating-point sums and the device's exact ones could fall
 * on either side.) Then the kernel's time for one row of the 7B vocabulary in each form (CUDA events, median of 50).
 * Exit 1 on any difference.
 */
public final class SampleCheck {
    private SampleCheck() {}

    private static final List<SamplingParams> PARAMS = List.of(
            new SamplingParams(0.8, 0, 1, 1, 11), new SamplingParams(0.3, 0, 1, 1, 12),
            new SamplingParams(1.0, 0, 0.93, 1, 13), new SamplingParams(0.7, 0, 0.61, 1, 14),
            new SamplingParams(0.9, 1, 1, 1, 15), new SamplingParams(0.9, 5, 1, 1, 16),
            new SamplingParams(0.9, 50, 1, 1, 17), new SamplingParams(1.3, 256, 1, 1, 18),
            new SamplingParams(0.9, 1001, 1, 1, 19), new SamplingParams(0.8, 50, 0.93, 1, 20),
            new SamplingParams(1.0, 256, 0.61, 1, 21));
    private static final int KINDS = 7, DRAWS = 24;

    /** {@code time}: the kernel's times alone (for a profiler), no check. */
    public static void main(String[] args) {
        boolean ok = true;
        boolean timeOnly = args.length > 0 && args[0].equals("time");
        try (ResidentKernels gen = ResidentKernels.get()) {
            ChoiceKernels choice = new ChoiceKernels(gen.context());
            System.out.println("clusters of " + ChoiceKernels.DRAW_CLUSTER + " work-groups the device holds at once: "
                    + choice.clustersAtOnce());
            List<Boolean> forms = choice.drawsInClusters() ? List.of(true, false) : List.of(false);
            for (boolean cluster : forms) {
                String form = cluster ? "cluster of " + ChoiceKernels.DRAW_CLUSTER + " work-groups a row" : "one work-group a row";
                if (!timeOnly) System.out.println("draws on " + form + ":");
                for (int[] vn : timeOnly ? new int[0][] : new int[][] {{50304, 50304}, {50304, 50277}, {1001, 999}, {301, 301}, {5, 3}}) {
                    float[] x = rows(vn[0], vn[1]);
                    for (SamplingParams p : PARAMS) {
                        if (p.topK() < vn[1]) ok &= check(gen, choice, x, vn[0], vn[1], p, cluster);
                    }
                }
                time(gen, choice, cluster, form);
            }
        }
        System.exit(ok ? 0 : 1);
    }

    /** KINDS rows of v logits; only the first n may be drawn (the rest hold the largest values). */
    private static float[] rows(int v, int n) {
        SplittableRandom rnd = new SplittableRandom(31L * v + n);
        float[] x = new float[KINDS * v];
        for (int r = 0; r < KINDS; r++) {
            int at = r * v;
            for (int j = 0; j < v; j++) {
                x[at + j] = switch (r) {
                    case 1 -> rnd.nextInt(4);                                  // ties
                    case 5 -> Float.NaN;                                       // nothing to weigh: the arg-max
                    case 6 -> 1.5f;                                            // all equal
                    default -> (float) (rnd.nextDouble() < 0.01 ? 8 + 6 * rnd.nextDouble() : 3 * rnd.nextGaussian());
                };
            }
            if (r == 2 || r == 3) { // NaN and -inf weigh nothing
                for (int u = 0; u < 40; u++) x[at + rnd.nextInt(n)] = Float.NaN;
                for (int u = 0; u < 40; u++) x[at + rnd.nextInt(n)] = Float.NEGATIVE_INFINITY;
            }
            if (r == 3) x[at + rnd.nextInt(n)] = Float.POSITIVE_INFINITY; // the arg-max
            if (r == 5) x[at + n / 2] = Float.NEGATIVE_INFINITY;
            for (int j = n; j < v; j++) x[at + j] = 1000;
        }
        return x;
    }

    private static boolean check(ResidentKernels gen, ChoiceKernels choice, float[] x, int v, int n, SamplingParams p,
            boolean cluster) {
        int rows = KINDS;
        Sampler[] giving = new Sampler[rows], drawing = new Sampler[rows];
        for (int r = 0; r < rows; r++) {
            giving[r] = new Sampler(p.withSeed(p.seed() * 1000 + r), v, n);
            drawing[r] = new Sampler(p.withSeed(p.seed() * 1000 + r), v, n);
        }
        int k = p.topK() > 0 ? Math.min(p.topK(), n) : n;
        try (DeviceBuffers mem = new DeviceBuffers(gen.context()); Arena arena = Arena.ofConfined()) {
            long logits = mem.alloc(4L * rows * v), uniforms = mem.alloc(8L * rows), weights = mem.alloc(8L * rows * n);
            long ids = mem.alloc(8L * rows);
            gen.context().writeAt(logits, arena.allocateFrom(ValueLayout.JAVA_FLOAT, x));
            MemorySegment u = arena.allocate(8L * rows, 8), got = arena.allocate(8L * rows, 8);
            int wrong = 0;
            for (int d = 0; d < DRAWS; d++) {
                double[] us = new double[rows];
                for (int r = 0; r < rows; r++) us[r] = giving[r].nextUniform();
                MemorySegment.copy(us, 0, u, ValueLayout.JAVA_DOUBLE, 0, rows);
                gen.context().writeAt(uniforms, u);
                choice.sample(logits, rows, v, n, k, 1.0 / p.temperature(), p.topP(), uniforms, weights, ids, cluster);
                gen.context().readAsyncAt(ids, got);
                gen.context().synchronize("a draw from " + rows + " x " + v + " (first " + n + ") with " + p);
                for (int r = 0; r < rows; r++) {
                    long device = got.getAtIndex(ValueLayout.JAVA_LONG, r);
                    int host = drawing[r].next(Arrays.copyOfRange(x, r * v, (r + 1) * v), 0);
                    if (device != host) {
                        if (wrong < 8) {
                            System.out.printf(Locale.ROOT, "  row %d draw %d (u %.17g): device %d, host %d%n", r, d, us[r], device, host);
                        }
                        wrong++;
                    }
                }
            }
            System.out.printf(Locale.ROOT, "%s draw T %.2f top-k %d top-p %.2f from %d rows x %d (first %d): %d of %d tokens differ%n",
                    wrong == 0 ? "PASS" : "FAIL", p.temperature(), p.topK(), p.topP(), rows, v, n, wrong, rows * DRAWS);
            return wrong == 0;
        }
    }

    /** The kernel's time for one row of the 7B vocabulary, per params kind, in one form. */
    private static void time(ResidentKernels gen, ChoiceKernels choice, boolean cluster, String form) {
        int v = 50304, n = 50277, reps = 50;
        float[] x = Arrays.copyOf(rows(v, n), v); // the first row: normal logits
        try (DeviceBuffers mem = new DeviceBuffers(gen.context()); Arena arena = Arena.ofConfined();
             CuEvent a = gen.context().event(); CuEvent b = gen.context().event()) {
            long logits = mem.alloc(4L * v), uniforms = mem.alloc(8), weights = mem.alloc(8L * n), ids = mem.alloc(8);
            gen.context().writeAt(logits, arena.allocateFrom(ValueLayout.JAVA_FLOAT, x));
            gen.context().writeAt(uniforms, arena.allocateFrom(ValueLayout.JAVA_DOUBLE, 0.37));
            StringBuilder line = new StringBuilder("draw kernel, " + form + ", 1 row of " + n + " ids, median of " + reps + " (us):");
            for (SamplingParams p : List.of(PARAMS.get(0), PARAMS.get(2), PARAMS.get(6), PARAMS.get(9))) {
                int k = p.topK() > 0 ? p.topK() : n;
                double[] us = new double[reps];
                for (int i = 0; i < reps; i++) {
                    a.record();
                    choice.sample(logits, 1, v, n, k, 1.0 / p.temperature(), p.topP(), uniforms, weights, ids, cluster);
                    b.record();
                    us[i] = 1000.0 * b.millisSince(a);
                }
                Arrays.sort(us);
                line.append(String.format(Locale.ROOT, " %s %.1f", p.topK() > 0 ? (p.topP() < 1 ? "top-k 50 + top-p" : "top-k 50")
                        : p.topP() < 1 ? "top-p" : "temperature", us[reps / 2]));
            }
            System.out.println(line);
        }
    }
}
