package xlstm.benchmarks;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import xlstm.runtime.generation.Sampler;
import xlstm.runtime.generation.SamplingParams;

/**
 * Choosing one token from the logits of the 7B vocabulary (50304 ids), as generation does after every step on the
 * host: {@code draw} with the sampling settings of {@code mode} (temperature 0.8; "topk": top-k 50; "topp": top-p 0.95;
 * "greedy": the arg-max), each call on a fresh copy of the logits (the sampler modifies them). The peer in the same
 * run, {@code sortAll}, sorts the 50304 (logit, id) keys as the sampler did for every draw before it sorted only
 * what top-k or top-p keep. The logits ({@code logitShape}): a sorted power law over the ids (logit of rank r = -1.5
 * ln r, the shape of a language model's), shuffled, plus noise; or flat (random weights' logits: top-p keeps most ids).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class SamplerBench {
    @Param({"greedy", "temperature", "topk", "topp"})
    public String mode;

    /** The logits: "powerlaw" (a trained model's shape) or "flat" (Gaussian, sd 0.5: a random model's, the worst case). */
    @Param({"powerlaw", "flat"})
    public String logitShape;

    private static final int VOCAB = 50304;
    private float[] logits;
    private long[] keys;
    private Sampler sampler;

    @Setup
    public void setup() {
        SplittableRandom r = new SplittableRandom(1);
        logits = new float[VOCAB];
        for (int i = 0; i < VOCAB; i++) {
            logits[i] = logitShape.equals("flat") ? (float) (0.5 * r.nextGaussian())
                    : (float) (-1.5 * Math.log(i + 1) + 0.1 * r.nextDouble());
        }
        for (int i = VOCAB - 1; i > 0; i--) { // shuffled: ranks are not ids
            int j = r.nextInt(i + 1);
            float t = logits[i];
            logits[i] = logits[j];
            logits[j] = t;
        }
        keys = new long[VOCAB];
        SamplingParams p = switch (mode) {
            case "greedy" -> SamplingParams.GREEDY;
            case "temperature" -> SamplingParams.sample(0.8, 7);
            case "topk" -> new SamplingParams(0.8, 50, 1, 1, 7);
            case "topp" -> new SamplingParams(0.8, 0, 0.95, 1, 7);
            default -> throw new IllegalArgumentException("mode " + mode);
        };
        sampler = new Sampler(p, VOCAB, VOCAB);
    }

    @Benchmark
    public int draw() {
        return sampler.next(logits.clone(), 0);
    }

    /** The peer: the full sort of every draw before (keys as the sampler makes them). */
    @Benchmark
    public long sortAll() {
        float[] l = logits.clone();
        for (int i = 0; i < VOCAB; i++) {
            int bits = Float.floatToIntBits(l[i]);
            keys[i] = ((long) ~(bits >= 0 ? bits : bits ^ 0x7fffffff) << 32) | i;
        }
        Arrays.sort(keys);
        return keys[0];
    }
}
