package xlstm.benchmarks;

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
import xlstm.cli.bench.Workloads;
import xlstm.runtime.tensor.Tensor;

/**
 * The mLSTM cell's three schedules, all generated from {@code cells/mlstm.xl}: the recurrent {@code sequence}
 * (S steps), {@code chunkwise} (chunk 64) and the quadratic {@code parallel} form, on B=1, NH=4, DQK=DV=64 random
 * inputs, from a zero state. Time per call; tokens/s = S / time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class MlstmCellBench {
    @Param({"64", "256", "1024", "4096"})
    public int seqLen;

    @Param({"" + Workloads.CELL_CHUNK})
    public int chunk;

    private Workloads.Cell cell;

    @Setup
    public void setup() {
        cell = Workloads.cell(seqLen);
    }

    @Benchmark
    public Tensor sequence() {
        cell.sequence();
        return cell.h();
    }

    @Benchmark
    public Tensor chunkwise() {
        cell.chunkwise(chunk);
        return cell.h();
    }

    @Benchmark
    public Tensor parallel() {
        cell.parallel();
        return cell.h();
    }
}
