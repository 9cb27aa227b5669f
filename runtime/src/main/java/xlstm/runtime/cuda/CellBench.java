package xlstm.runtime.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Locale;
import xlstm.backends.cuda.CuEvent;
import xlstm.backends.cuda.CudaGraph;
import xlstm.backends.cuda.CudaContext;
import xlstm.runtime.backend.DevicePointer;
import xlstm.runtime.backend.ResidentKernels;

/**
 * The generated mLSTM chunkwise kernels alone on the device: timed with CUDA events on random q, k, v and gates
 * (B, NH, S, ·) from zero states (what {@code xlstm bench --backend cuda} reports beside the model), and compared
 * with each other from random states ({@link #compare}).
 */
public final class CellBench {
    private CellBench() {}

    /** The forms of the generated chunkwise kernel the device-resident model can run. */
    public enum Kernel {
        /** {@code mlstm_chunkwise}: a work-group per (batch, head), float32 CUDA cores. */
        PLAIN("mlstm_chunkwise", "chunkwise kernel"),
        /** {@code mlstm_chunkwise_tiled}: a work-group per (batch, head, 64 value columns), float32 CUDA cores. */
        TILED("mlstm_chunkwise_tiled", "chunkwise kernel, tiled"),
        /** {@code mlstm_chunkwise_tc}: tiled, bf16 operands on tensor cores, float32 accumulation and states. */
        TENSOR("mlstm_chunkwise_tc", "chunkwise kernel, tensor cores"),
        /**
         * {@code mlstm_chunkwise_tc_states} then {@code mlstm_chunkwise_tc_out}: the tensor-core form split in two
         * passes, the states sequential over chunks (a work-group per (batch, head, 64 value columns, 64 keys)),
         * then the outputs of all chunks at once (a work-group per (batch, head, chunk)).
         */
        TENSOR_SPLIT("mlstm_chunkwise_tc_states", "mlstm_chunkwise_tc_out", "chunkwise kernels, tensor cores, split"),
        /** {@code mlstm_step_tiled}: one decode step (S = 1), a work-group per (batch, head, 32 value columns). */
        STEP_TILED("mlstm_step_tiled", "step kernel, tiled"),
        /** {@code mlstm_step_wide}: the same step, a work-group per (batch, head, 64 value columns), for many rows. */
        STEP_WIDE("mlstm_step_wide", "step kernel, wide tiles");

        /** The entry launched (first); {@code then}: the entry launched right after it with the same arguments, or null. */
        public final String entry, then, label;

        Kernel(String entry, String label) {
            this(entry, null, label);
        }

        Kernel(String entry, String then, String label) {
            this.entry = entry;
            this.then = then;
            this.label = label;
        }

        /** Whether it multiplies on tensor cores (bf16 operands). */
        public boolean tensorCores() { return this == TENSOR || this == TENSOR_SPLIT; }

        /** The entries it launches, for reports. */
        public String entries() { return then == null ? entry : entry + " + " + then; }

        /** Queues the kernel (both passes of a split one) with the arguments of the entry's index signature. */
        public void launch(ResidentKernels gen, Object... args) {
            launchPasses(gen, ALL_PASSES, args);
        }

        /** As {@link #launch}, the passes in {@code passes} only (bit 0: the entry, bit 1: {@code then}). */
        void launchPasses(ResidentKernels gen, int passes, Object... args) {
            if ((passes & 1) != 0) gen.launch(entry, args);
            if (then != null && (passes & 2) != 0) gen.launch(then, args);
        }

        /** Whether it reads the initial n and m from separate inputs (the tiled forms). */
        boolean separateInitial() { return this != PLAIN; }

        /** Whether it is the one-step form (no S, no chunk size). */
        public boolean step() { return this == STEP_TILED || this == STEP_WIDE; }
    }

    /**
     * FLOPs of the chunkwise forward as counted here: per chunk of L steps and (batch, head), Q·Kᵀ (2 L² DQK),
     * W·V (2 L² DV), Q·C (2 L DQK DV) and the state update Kᵀ·V (2 L DQK DV), the full L x L products counted.
     */
    public static double flops(int b, int nh, int s, int dhqk, int dhv, int chunk) {
        double l = Math.min(chunk, s), chunks = Math.ceil(s / l);
        return (double) b * nh * chunks * (2 * l * l * (dhqk + dhv) + 4 * l * dhqk * dhv);
    }

    /** {@link Kernel#launchPasses}'s every pass. */
    static final int ALL_PASSES = 3;

    /** Device tensors of one chunkwise call: inputs, states, the initial n/m copies the tiled forms read, output. */
    private record Call(long q, long k, long v, long ig, long fg, long c, long n, long m, long nIn, long mIn, long h) {
        void launch(ResidentKernels gen, Kernel kernel, int b, int nh, int s, int dhqk, int dhv, int chunk) {
            launch(gen, kernel, 0, ALL_PASSES, b, nh, s, dhqk, dhv, chunk);
        }

        /**
         * With work-groups of {@code block} threads where the kernel leaves the size free (0: the default), the
         * {@code passes} of a split kernel ({@link Kernel#launchPasses}).
         */
        void launch(ResidentKernels gen, Kernel kernel, int block, int passes, int b, int nh, int s, int dhqk, int dhv,
                    int chunk) {
            if (kernel.step()) {
                if (s != 1) throw new IllegalArgumentException(kernel.entry + " runs one step, not " + s);
                gen.launchWith(kernel.entry, block, b, nh, dhqk, dhv, p(q), p(k), p(v), p(ig), p(fg), p(c), p(n), p(m),
                        p(nIn), p(mIn), p(h), 1e-6f);
            } else if (kernel.separateInitial()) {
                kernel.launchPasses(gen, passes, b, nh, s, dhqk, dhv, chunk, p(q), p(k), p(v), p(ig), p(fg), p(c), p(n),
                        p(m), p(nIn), p(mIn), p(h), 1e-6f);
            } else {
                gen.launch(kernel.entry, b, nh, s, dhqk, dhv, chunk, p(q), p(k), p(v), p(ig), p(fg), p(c), p(n), p(m),
                        p(h), 1e-6f);
            }
        }

        private static DevicePointer p(long a) { return new DevicePointer(a); }
    }

    /** Random inputs (uniform in ±1, input-gate preactivations ±1, forget preactivations 3), states zero. */
    private static Call inputs(DeviceBuffers mem, GlueKernels glue, int b, int nh, int s, int dhqk, int dhv) {
        long rows = (long) b * nh * s;
        long q = mem.alloc(4 * rows * dhqk), k = mem.alloc(4 * rows * dhqk), v = mem.alloc(4 * rows * dhv);
        long ig = mem.alloc(4 * rows), fg = mem.alloc(4 * rows), h = mem.alloc(4 * rows * dhv);
        long c = mem.zeros(4L * b * nh * dhqk * dhv), n = mem.zeros(4L * b * nh * dhqk), m = mem.zeros(4L * b * nh);
        glue.fillUniform(q, false, rows * dhqk, 1, 1f);
        glue.fillUniform(k, false, rows * dhqk, 2, 1f);
        glue.fillUniform(v, false, rows * dhv, 3, 1f);
        glue.fillUniform(ig, false, rows, 4, 1f);
        glue.fill(fg, rows, 3f);
        long nIn = mem.zeros(4L * b * nh * dhqk), mIn = mem.zeros(4L * b * nh);
        return new Call(q, k, v, ig, fg, c, n, m, nIn, mIn, h);
    }

    /** Launches of a step kernel per timed graph replay of {@link #millis} (the others: one). */
    private static final int STEP_LAUNCHES = 10;

    /**
     * Median milliseconds of one call of {@code kernel} over {@code repeats} replays of a CUDA graph (of
     * {@value #STEP_LAUNCHES} launches for a step kernel, each replay's time divided by them), after a warm-up.
     */
    public static double chunkwiseMillis(Kernel kernel, int b, int nh, int s, int dhqk, int dhv, int chunk, int repeats) {
        return millis(kernel, 0, b, nh, s, dhqk, dhv, chunk, repeats);
    }

    /** As {@link #chunkwiseMillis} with work-groups of {@code block} threads where the kernel leaves the size free. */
    public static double millis(Kernel kernel, int block, int b, int nh, int s, int dhqk, int dhv, int chunk, int repeats) {
        return millis(kernel, block, ALL_PASSES, b, nh, s, dhqk, dhv, chunk, repeats);
    }

    /**
     * As {@link #millis(Kernel, int, int, int, int, int, int, int, int)}, timing only the {@code passes} of a split
     * kernel (the warm-up runs all, so a second pass alone reads the first's results).
     */
    static double millis(Kernel kernel, int block, int passes, int b, int nh, int s, int dhqk, int dhv, int chunk,
                         int repeats) {
        try (ResidentKernels gen = ResidentKernels.get()) {
            CudaContext ctx = gen.context();
            GlueKernels glue = new GlueKernels(ctx);
            try (DeviceBuffers mem = new DeviceBuffers(ctx); CuEvent start = ctx.event(); CuEvent end = ctx.event()) {
                Call call = inputs(mem, glue, b, nh, s, dhqk, dhv);
                call.launch(gen, kernel, block, ALL_PASSES, b, nh, s, dhqk, dhv, chunk);
                ctx.synchronize(kernel.entries() + " warm-up");
                // launches replayed from a CUDA graph, as the model's decode steps: a short kernel timed launch by
                // launch would mostly measure the host preparing its launch while the device waits
                int launches = kernel.step() ? STEP_LAUNCHES : 1;
                try (CudaGraph graph = ctx.capture(() -> {
                    for (int i = 0; i < launches; i++) call.launch(gen, kernel, block, passes, b, nh, s, dhqk, dhv, chunk);
                })) {
                    double[] ms = new double[Math.max(1, repeats)];
                    for (int i = 0; i < ms.length; i++) {
                        start.record();
                        graph.launch();
                        end.record();
                        ms[i] = end.millisSince(start) / launches;
                    }
                    Arrays.sort(ms);
                    return ms[ms.length / 2];
                }
            }
        }
    }

    /** The largest difference of one output tensor from the reference's, and the reference's largest magnitude. */
    public record Difference(String tensor, double maxErr, double maxRef) {
        public double relative() { return maxErr / Math.max(maxRef, Double.MIN_NORMAL); }
    }

    /**
     * {@code test} against {@code ref} on the same random inputs from the same random initial states (C, n in ±0.5,
     * m in ±0.5): the differences of h and the final C, n, m. The tiled forms' n_in/m_in are copies of the initial
     * n and m.
     */
    public static Difference[] compare(Kernel ref, Kernel test, int b, int nh, int s, int dhqk, int dhv, int chunk) {
        try (ResidentKernels gen = ResidentKernels.get()) {
            CudaContext ctx = gen.context();
            GlueKernels glue = new GlueKernels(ctx);
            try (DeviceBuffers mem = new DeviceBuffers(ctx)) {
                Call[] calls = new Call[2];
                long cs = 4L * b * nh * dhqk * dhv, ns = 4L * b * nh * dhqk, ms = 4L * b * nh;
                for (int i = 0; i < 2; i++) {
                    calls[i] = inputs(mem, glue, b, nh, s, dhqk, dhv); // same seeds: same inputs
                    glue.fillUniform(calls[i].c(), false, cs / 4, 5, 0.5f);
                    glue.fillUniform(calls[i].n(), false, ns / 4, 6, 0.5f);
                    glue.fillUniform(calls[i].m(), false, ms / 4, 7, 0.5f);
                    ctx.copyAsync(calls[i].nIn(), calls[i].n(), ns);
                    ctx.copyAsync(calls[i].mIn(), calls[i].m(), ms);
                }
                calls[0].launch(gen, ref, b, nh, s, dhqk, dhv, chunk);
                calls[1].launch(gen, test, b, nh, s, dhqk, dhv, chunk);
                ctx.synchronize("comparing " + ref.entries() + " and " + test.entries());
                long hs = 4L * b * nh * s * dhv;
                return new Difference[] {
                    diff(ctx, "h", calls[0].h(), calls[1].h(), hs), diff(ctx, "C", calls[0].c(), calls[1].c(), cs),
                    diff(ctx, "n", calls[0].n(), calls[1].n(), ns), diff(ctx, "m", calls[0].m(), calls[1].m(), ms)};
            }
        }
    }

    private static Difference diff(CudaContext ctx, String what, long a, long b, long bytes) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = arena.allocate(bytes, 16), y = arena.allocate(bytes, 16);
            ctx.readAsyncAt(a, x);
            ctx.readAsyncAt(b, y);
            ctx.synchronize("reading " + what);
            double err = 0, ref = 0;
            for (long i = 0; i < bytes / 4; i++) {
                float r = x.getAtIndex(ValueLayout.JAVA_FLOAT, i), t = y.getAtIndex(ValueLayout.JAVA_FLOAT, i);
                ref = Math.max(ref, Math.abs(r));
                double e = Math.abs(r - t);
                err = Double.isNaN(e) ? Double.NaN : Math.max(err, e);
                if (Double.isNaN(err)) break;
            }
            return new Difference(what, err, ref);
        }
    }

    /**
     * {@code java ... xlstm.runtime.cuda.CellBench}: the tensor-core and tiled kernels against the plain one on the
     * 7B head shape (DQK 256, DV 512) and on small ones with a partial value tile and chunk, and the one-step forms
     * at S = 1, printing one line per tensor; exit 1 when a relative difference exceeds {@code tol} (bf16 operands:
     * default 2e-2; the float32 forms must agree to 1e-4).
     */
    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("time")) {
            times();
            return;
        }
        double tol = args.length > 0 ? Double.parseDouble(args[0]) : 2e-2;
        boolean ok = true;
        int[][] shapes = {{1, 8, 1000, 256, 512, 64}, {2, 3, 130, 64, 96, 64}, {1, 2, 77, 32, 64, 16}, {1, 8, 1, 256, 512, 64},
            {3, 2, 1, 32, 48, 16}};
        for (int[] sh : shapes) {
            Kernel[] forms = sh[2] == 1 ? new Kernel[] {Kernel.TILED, Kernel.STEP_TILED, Kernel.STEP_WIDE}
                    : new Kernel[] {Kernel.TILED, Kernel.TENSOR, Kernel.TENSOR_SPLIT};
            for (Kernel k : forms) {
                double limit = k.tensorCores() ? tol : 1e-4;
                for (Difference d : compare(Kernel.PLAIN, k, sh[0], sh[1], sh[2], sh[3], sh[4], sh[5])) {
                    boolean pass = d.relative() <= limit;
                    ok &= pass;
                    System.out.printf(Locale.ROOT, "%s %s [B=%d NH=%d S=%d DQK=%d DV=%d chunk=%d] %s: max err %.3g of"
                            + " max|ref| %.3g (rel %.2g, tol %.0g)%n", pass ? "PASS" : "FAIL", k.entries(), sh[0], sh[1],
                            sh[2], sh[3], sh[4], sh[5], d.tensor(), d.maxErr(), d.maxRef(), d.relative(), limit);
                }
            }
        }
        // the split form does the fused form's float32 operations in the same order (only the chunk loop moves to
        // another work-group), so their results must agree to rounding noise, not just to the bf16 tolerance
        for (int[] sh : shapes) {
            if (sh[2] == 1) continue;
            for (Difference d : compare(Kernel.TENSOR, Kernel.TENSOR_SPLIT, sh[0], sh[1], sh[2], sh[3], sh[4], sh[5])) {
                boolean pass = d.relative() <= SPLIT_TOL;
                ok &= pass;
                System.out.printf(Locale.ROOT, "%s %s against %s [B=%d NH=%d S=%d DQK=%d DV=%d chunk=%d] %s: max err %.3g"
                        + " of max|ref| %.3g (rel %.2g, tol %.0g)%n", pass ? "PASS" : "FAIL", Kernel.TENSOR_SPLIT.entries(),
                        Kernel.TENSOR.entry, sh[0], sh[1], sh[2], sh[3], sh[4], sh[5], d.tensor(), d.maxErr(), d.maxRef(),
                        d.relative(), SPLIT_TOL);
            }
        }
        System.exit(ok ? 0 : 1);
    }

    /** The split tensor-core form against the fused one: float32 rounding noise at most. */
    static final double SPLIT_TOL = 1e-5;

    /**
     * {@code CellBench time}: device milliseconds (median of 20) of the cell kernels on the 7B head shape: the step
     * kernels (tiled, wide) at batch 1, 8, 64 and 256 for several work-group sizes, the tensor-core kernels (fused and split) at
     * batch 1 over 2048 and 8192 steps and at batch 8 over 8192.
     */
    static void times() {
        for (Kernel k : new Kernel[] {Kernel.STEP_TILED, Kernel.STEP_WIDE}) {
            for (int b : new int[] {1, 8, 64, 256}) {
                for (int block : new int[] {64, 128, 256, 512}) {
                    try {
                        double ms = millis(k, block, b, 8, 1, 256, 512, 64, 20);
                        System.out.printf(Locale.ROOT, "%s B=%d block %4d: %.4f ms (%.0f GB/s of C read and written)%n",
                                k.label, b, block, ms, 2.0 * 4 * b * 8 * 256 * 512 / (ms * 1e6));
                    } catch (RuntimeException e) {
                        System.out.printf(Locale.ROOT, "%s B=%d block %4d: %s%n", k.label, b, block, e.getMessage());
                    }
                }
            }
        }
        for (int[] bs : new int[][] {{1, 2048}, {1, 8192}, {8, 8192}}) {
            for (Kernel k : new Kernel[] {Kernel.TENSOR, Kernel.TENSOR_SPLIT}) {
                double ms = millis(k, 0, bs[0], 8, bs[1], 256, 512, 64, 5);
                System.out.printf(Locale.ROOT, "%s B=%d NH=8 S=%d: %.3f ms, %.1f TFLOP/s%n", k.label, bs[0], bs[1], ms,
                        flops(bs[0], 8, bs[1], 256, 512, 64) / (ms * 1e9));
            }
            for (int pass = 1; pass <= 2; pass++) {
                double ms = millis(Kernel.TENSOR_SPLIT, 0, pass, bs[0], 8, bs[1], 256, 512, 64, 5);
                System.out.printf(Locale.ROOT, "  of which %s alone: %.3f ms%n",
                        pass == 1 ? Kernel.TENSOR_SPLIT.entry : Kernel.TENSOR_SPLIT.then, ms);
            }
        }
    }
}
