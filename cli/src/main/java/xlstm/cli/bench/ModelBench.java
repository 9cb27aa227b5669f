package xlstm.cli.bench;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import xlstm.backends.cpu.DecodeProfile;
import xlstm.runtime.io.SafetensorsWriter;
import xlstm.runtime.model.LargeState;
import xlstm.runtime.model.XlstmLarge;
import xlstm.runtime.tensor.Tensor;

/**
 * Prefill and decode timings of one loaded xLSTM Large (a checkpoint folder or {@link Workloads#randomLarge}),
 * as {@code xlstm bench --model DIR} reports them: what {@code scripts/cpu-vs-torch.sh} compares with PyTorch.
 * Both phases compute the full logits of every position, as a plain forward call of the reference does.
 */
public final class ModelBench {
    /**
     * A prefill of {@code tokens} tokens (batch 1) from a zero state: median seconds of the timed runs; {@code runs}
     * counts the warm-up runs too.
     */
    public record Prefill(int tokens, int runs, double medianSeconds) {
        public double tokensPerSecond() { return tokens / medianSeconds; }
    }

    /**
     * {@code steps} timed decode steps of {@code batch} rows: median and mean seconds per step; with a profile, the
     * breakdown of as many further steps (null without).
     */
    public record Decode(int batch, int steps, double medianStepSeconds, double meanStepSeconds,
                         DecodeProfile.Report profile) {
        public double tokensPerSecond() { return batch / medianStepSeconds; }
    }

    private ModelBench() {}

    /** Random ids of the model's vocabulary, shape (B, S). */
    public static Tensor ids(XlstmLarge model, int b, int s, long seed) {
        return Workloads.randomIds(b, s, model.config().vocabSize(), seed);
    }

    /** Prefill timing with {@code watch} (its warm-up runs are the same prefill). */
    public static Prefill prefill(XlstmLarge model, int tokens, Stopwatch watch, long seed) {
        Tensor ids = ids(model, 1, tokens, seed);
        LargeState state = model.newState(1);
        int[] runs = {0};
        double t = watch.median(() -> {
            Workloads.prefill(model, ids, state);
            runs[0]++;
        });
        return new Prefill(tokens, runs[0], t);
    }

    /**
     * Decode timing: a state fed a 16-token prompt per row, then at least {@code minWarmup} untimed steps (and until
     * {@code warmupSeconds} have passed), then {@code steps} steps timed one by one; with {@code profile}, then as many
     * steps under {@link DecodeProfile} (apart from the timed ones, so those are as without a profile).
     */
    public static Decode decode(XlstmLarge model, int batch, int steps, int minWarmup, double warmupSeconds, long seed,
                                boolean profile) {
        LargeState state = model.newState(batch);
        model.forward(ids(model, batch, 16, seed), state);
        long[][] next = new long[16][];
        for (int j = 0; j < next.length; j++) next[j] = ids(model, batch, 1, seed + 1 + j).toLongArray();
        long start = System.nanoTime();
        for (int j = 0; j < minWarmup || (System.nanoTime() - start) / 1e9 < warmupSeconds; j++) {
            Workloads.decode(model, next[j % next.length], state);
        }
        double[] t = new double[steps];
        double sum = 0;
        for (int j = 0; j < steps; j++) {
            long t0 = System.nanoTime();
            Workloads.decode(model, next[j % next.length], state);
            t[j] = (System.nanoTime() - t0) / 1e9;
            sum += t[j];
        }
        Arrays.sort(t);
        double median = steps % 2 == 1 ? t[steps / 2] : (t[steps / 2 - 1] + t[steps / 2]) / 2;
        DecodeProfile.Report report = null;
        if (profile) {
            DecodeProfile.start();
            try {
                for (int j = 0; j < steps; j++) Workloads.decode(model, next[j % next.length], state);
            } finally {
                DecodeProfile.stop();
            }
            report = DecodeProfile.report();
        }
        return new Decode(batch, steps, median, sum / steps, report);
    }

    /**
     * Writes {@code input_ids} (1, S) int64, random with {@code seed}, and the {@code logits} (1, S, V) float32 of
     * one forward pass from a zero state to {@code file} (safetensors), for a comparison with another implementation.
     */
    public static void writeLogits(XlstmLarge model, Path file, int tokens, long seed) {
        Tensor ids = ids(model, 1, tokens, seed);
        Tensor logits = model.forward(ids, model.newState(1));
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("input_ids", ids);
        out.put("logits", logits);
        SafetensorsWriter.write(file, out);
    }
}
