package xlstm.cli.bench;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import xlstm.backends.cuda.CuBuffer;
import xlstm.backends.cuda.CuEvent;
import xlstm.backends.cuda.CudaContext;
import xlstm.runtime.config.XlstmLargeConfig;
import xlstm.runtime.cuda.CellBench;
import xlstm.runtime.cuda.DeviceLarge;
import xlstm.runtime.cuda.DeviceLargeState;
import xlstm.runtime.cuda.ReadProbe;

/**
 * {@code xlstm bench --backend cuda}: the device-resident xLSTM Large timed with CUDA events (medians of repeats
 * after warm-up) and set against the GPU's limits: decode against memory bandwidth (bytes counted: every weight
 * matrix read once per step, plus the mLSTM states read once and written once by the step kernel), prefill against
 * the tensor cores' bf16 peak (FLOPs counted: 2 per weight of the block matrices per token, plus the chunkwise
 * cell), the chunkwise kernel alone, a kernel that only reads (the bandwidth a decode step could reach: decode is
 * set against it) and a device-to-device copy.
 */
public final class DeviceBench {
    /** H200 SXM data sheet: HBM3e bandwidth (bytes/s) and dense bf16 tensor throughput (FLOP/s). */
    public static final double SPEC_BANDWIDTH = 4.8e12, SPEC_BF16_FLOPS = 989e12;

    /** xLSTM 7B's shape (E 4096, 32 blocks, 8 heads, DQK 256 and DV 512 per head, FFN 10944, vocab 50304). */
    public static XlstmLargeConfig shape7b() {
        return XlstmLargeConfig.of(4096, 8, 32, 50304);
    }

    public record Row(String phase, String size, double ms, double tokensPerSecond, String limit) {}

    private final DeviceLarge model;
    private final CudaContext ctx;
    private final int repeats;
    private final Consumer<String> progress;
    private final List<Row> rows = new ArrayList<>();

    public DeviceBench(DeviceLarge model, int repeats, Consumer<String> progress) {
        this.model = model;
        this.ctx = model.context();
        this.repeats = Math.max(3, repeats);
        this.progress = progress;
    }

    public List<Row> rows() { return rows; }

    private double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** Milliseconds of {@code body} by CUDA events, median of the repeats, after one untimed run. */
    private double timed(Runnable body) {
        try (CuEvent a = ctx.event(); CuEvent b = ctx.event()) {
            body.run();
            ctx.synchronize("warm-up");
            double[] ms = new double[repeats];
            for (int i = 0; i < repeats; i++) {
                a.record();
                body.run();
                b.record();
                ms[i] = b.millisSince(a);
            }
            return median(ms);
        }
    }

    /**
     * Read bandwidth (bytes per second) of a kernel that only reads {@code bytes} ({@link ReadProbe}): the limit of a
     * decode step, which reads its weights and writes almost nothing.
     */
    public double readBandwidth(long bytes) {
        progress.accept("device read bandwidth, " + (bytes >> 20) + " MiB");
        ReadProbe probe = new ReadProbe(ctx);
        try (CuBuffer src = ctx.buffer(bytes); CuBuffer sink = ctx.buffer(16)) {
            ctx.zeroAsync(src.pointer(), bytes);
            double ms = timed(() -> probe.read(src.pointer(), bytes, sink.pointer()));
            double bw = bytes / (ms / 1e3);
            rows.add(new Row("read", (bytes >> 20) + " MiB", ms, 0, String.format(Locale.ROOT, "%.0f GB/s = %.0f%% of %.1f TB/s",
                    bw / 1e9, 100 * bw / SPEC_BANDWIDTH, SPEC_BANDWIDTH / 1e12)));
            return bw;
        }
    }

    /** Copy bandwidth (bytes read + written per second) of a device-to-device copy of {@code bytes}. */
    public double copyBandwidth(long bytes) {
        progress.accept("device copy bandwidth, 2 x " + (bytes >> 20) + " MiB");
        try (CuBuffer src = ctx.buffer(bytes); CuBuffer dst = ctx.buffer(bytes)) {
            ctx.zeroAsync(src.pointer(), bytes);
            double ms = timed(() -> ctx.copyAsync(dst.pointer(), src.pointer(), bytes));
            double bw = 2.0 * bytes / (ms / 1e3);
            rows.add(new Row("copy", (bytes >> 20) + " MiB", ms, 0, String.format(Locale.ROOT, "%.0f GB/s = %.0f%% of %.1f TB/s",
                    bw / 1e9, 100 * bw / SPEC_BANDWIDTH, SPEC_BANDWIDTH / 1e12)));
            return bw;
        }
    }

    /** Bytes one decode step of batch b moves, as counted (see the class comment). */
    public long decodeBytes(int b) {
        XlstmLargeConfig c = model.config();
        long e = c.embeddingDim(), dqk = c.qkDim(), dv = c.vDim(), p = c.ffnUpProjDim(), nh = c.numHeads();
        long w = model.bf16() ? 2 : 4;
        long perBlock = ((2 * dqk + 2 * dv + 2 * nh) * e + e * dv + 2 * p * e + e * p) * w;
        long head = (long) c.vocabSize() * e * w;
        long state = 2L * b * nh * c.qkHeadDim() * c.vHeadDim() * 4; // C read and written once (float32)
        return c.numBlocks() * (perBlock + state) + head;
    }

    /** FLOPs of a prefill of s tokens (batch 1), as counted (see the class comment). */
    public double prefillFlops(int s) {
        XlstmLargeConfig c = model.config();
        double e = c.embeddingDim(), dqk = c.qkDim(), dv = c.vDim(), p = c.ffnUpProjDim(), nh = c.numHeads();
        double perToken = 2 * ((2 * dqk + 2 * dv + 2 * nh) * e + e * dv + 3 * p * e);
        double cell = CellBench.flops(1, c.numHeads(), s, c.qkHeadDim(), c.vHeadDim(), c.chunkSize());
        return c.numBlocks() * (perToken * s + cell) + 2.0 * c.vocabSize() * e;
    }

    /**
     * Decode steps of batch b, looped on the device (each step's arg-max feeds the next), median per step, set against
     * the data sheet's bandwidth and the measured read {@code bandwidth} ({@link #readBandwidth}).
     */
    public void decode(int b, int steps, double bandwidth) {
        progress.accept("decode, batch " + b + ", " + steps + " steps");
        try (DeviceLargeState st = model.newState(b)) {
            long[][] prompt = new long[b][16];
            for (long[] row : prompt) for (int j = 0; j < row.length; j++) row[j] = (j * 7919L) % model.config().vocabSize();
            model.prefill(prompt, st);
            model.step(st); // launch by launch; the next one captures the graph
            model.step(st);
            double ms = timed(() -> {
                for (int i = 0; i < steps; i++) model.step(st);
            }) / steps;
            double tps = b / (ms / 1e3);
            double bytesPerS = decodeBytes(b) / (ms / 1e3);
            rows.add(new Row("decode (device loop)", "batch " + b, ms, tps, String.format(Locale.ROOT,
                    "%.2f GB/step: %.0f%% of %.1f TB/s, %.0f%% of the measured read", decodeBytes(b) / 1e9,
                    100 * bytesPerS / SPEC_BANDWIDTH, SPEC_BANDWIDTH / 1e12, 100 * bytesPerS / bandwidth)));
            if (b == 1) {
                // what generation sees: the host reads each token before the next step
                progress.accept("decode, batch 1, reading each token");
                long[] tok = new long[1];
                double hostMs = timed(() -> {
                    for (int i = 0; i < steps; i++) {
                        model.step(st);
                        tok[0] += model.tokens(st)[0];
                    }
                }) / steps;
                rows.add(new Row("decode (token to host)", "batch 1", hostMs, 1 / (hostMs / 1e3), String.format(Locale.ROOT,
                        "%.0f%% of %.1f TB/s", 100 * decodeBytes(1) / (hostMs / 1e3) / SPEC_BANDWIDTH, SPEC_BANDWIDTH / 1e12)));
            }
        }
    }

    /** The device time of a decode step of batch b per operation ({@link DeviceLarge#profileSteps}). */
    public String profile(int b, int steps) {
        progress.accept("decode step profile, batch " + b);
        try (DeviceLargeState st = model.newState(b)) {
            long[][] prompt = new long[b][16];
            for (long[] row : prompt) for (int j = 0; j < row.length; j++) row[j] = (j * 7919L) % model.config().vocabSize();
            model.prefill(prompt, st);
            model.profileSteps(st, 2); // warm-up
            return model.profileSteps(st, steps);
        }
    }

    /** The device time of a prefill of s tokens, batch 1, per operation ({@link DeviceLarge#profilePrefill}). */
    public String profilePrefill(int s, int runs) {
        progress.accept("prefill profile, S=" + s);
        try (DeviceLargeState st = model.newState(1)) {
            long[][] prompt = {promptOf(s)};
            model.profilePrefill(prompt, st, 1); // warm-up
            return model.profilePrefill(prompt, st, runs);
        }
    }

    private long[] promptOf(int s) {
        long[] row = new long[s];
        for (int j = 0; j < s; j++) row[j] = (j * 7919L + 13) % model.config().vocabSize();
        return row;
    }

    /** A prefill of s random tokens, batch 1, from a zero state. */
    public void prefill(int s) {
        progress.accept("prefill S=" + s);
        try (DeviceLargeState st = model.newState(1)) {
            long[][] prompt = {promptOf(s)};
            double ms = timed(() -> {
                model.reset(st);
                model.prefill(prompt, st);
            });
            double flops = prefillFlops(s) / (ms / 1e3);
            rows.add(new Row("prefill", "S " + s, ms, s / (ms / 1e3), String.format(Locale.ROOT,
                    "%.1f TFLOP: %.0f TFLOP/s = %.0f%% of %.0f bf16 (limit %.0fk tok/s)", prefillFlops(s) / 1e12,
                    flops / 1e12, 100 * flops / SPEC_BF16_FLOPS, SPEC_BF16_FLOPS / 1e12,
                    s / (prefillFlops(s) / SPEC_BF16_FLOPS) / 1e3)));
        }
    }

    /** A generated chunkwise kernel alone (float32 inputs and states; the tensor-core form multiplies in bf16). */
    public void chunkwise(CellBench.Kernel kernel, int b, int nh, int s, int dhqk, int dhv, int chunk) {
        progress.accept("mLSTM " + kernel.label + ", B " + b + " NH " + nh + " S " + s);
        double ms = CellBench.chunkwiseMillis(kernel, b, nh, s, dhqk, dhv, chunk, repeats);
        double f = CellBench.flops(b, nh, s, dhqk, dhv, chunk);
        String unit = kernel.tensorCores() ? "of %.0f bf16" : "float32 CUDA cores";
        String against = kernel.tensorCores()
                ? String.format(Locale.ROOT, "%.0f%% of %.0f bf16", 100 * f / (ms / 1e3) / SPEC_BF16_FLOPS, SPEC_BF16_FLOPS / 1e12)
                : unit;
        rows.add(new Row(kernel.label, String.format(Locale.ROOT, "B%d NH%d S%d DQK%d DV%d L%d", b, nh, s, dhqk, dhv, chunk),
                ms, (double) b * s / (ms / 1e3), String.format(Locale.ROOT, "%.2f TFLOP: %.1f TFLOP/s (%s)",
                        f / 1e12, f / (ms / 1e3) / 1e12, against)));
    }

    /** The rows as a table. */
    public void print(PrintWriter out, String title) {
        out.println();
        out.println(title);
        String[] head = {"phase", "size", "ms", "tokens/s", "against the limit"};
        List<String[]> cells = new ArrayList<>();
        for (Row r : rows) {
            cells.add(new String[] {r.phase(), r.size(), String.format(Locale.ROOT, "%.3f", r.ms()),
                    r.tokensPerSecond() == 0 ? "-" : String.format(Locale.ROOT, "%.0f", r.tokensPerSecond()), r.limit()});
        }
        int[] w = new int[head.length];
        for (int c = 0; c < head.length; c++) {
            w[c] = head[c].length();
            for (String[] r : cells) w[c] = Math.max(w[c], r[c].length());
        }
        out.println(line(head, w));
        StringBuilder sep = new StringBuilder();
        for (int c = 0; c < w.length; c++) sep.append(c == 0 ? "" : "  ").append("-".repeat(w[c]));
        out.println(sep);
        for (String[] r : cells) out.println(line(r, w));
        out.flush();
    }

    private static String line(String[] cells, int[] w) {
        StringBuilder sb = new StringBuilder();
        for (int c = 0; c < cells.length; c++) {
            if (c > 0) sb.append("  ");
            String fmt = c < 2 || c == cells.length - 1 ? "%-" + w[c] + "s" : "%" + w[c] + "s";
            sb.append(String.format(fmt, cells[c]));
        }
        return sb.toString().stripTrailing();
    }
}
