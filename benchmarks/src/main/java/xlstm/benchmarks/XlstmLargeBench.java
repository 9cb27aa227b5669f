package xlstm.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import xlstm.cli.bench.Workloads;
import xlstm.runtime.model.LargeState;
import xlstm.runtime.model.XlstmLarge;
import xlstm.runtime.tensor.Tensor;

/**
 * xLSTM Large with E=768, 12 blocks, 4 heads, vocab 50304 and random float32 weights, batch 1: {@code prefill}
 * is one prompt of {@code prefillLen} tokens through the chunkwise path from a zero state (tokens/s =
 * prefillLen / time); {@code decode} is one token through the recurrent step with the state carried (tokens/s =
 * 1 / time).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class XlstmLargeBench {
    @Param({"256"})
    public int prefillLen;

    private XlstmLarge model;
    private LargeState state;
    private Tensor prompt;
    private long[] next;

    @Setup(Level.Trial)
    public void setup() {
        model = Workloads.randomLarge(7);
        state = model.newState(1);
        prompt = Workloads.randomIds(1, prefillLen, Workloads.LARGE_VOCAB, 11);
        next = Workloads.randomIds(1, 1, Workloads.LARGE_VOCAB, 13).toLongArray();
        Workloads.prefill(model, prompt, state);
    }

    @Benchmark
    public Tensor prefill() {
        return Workloads.prefill(model, prompt, state);
    }

    @Benchmark
    public Tensor decode() {
        return Workloads.decode(model, next, state);
    }
}
