package xlstm.benchmarks;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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
import xlstm.backends.cpu.CpuLinear;

/**
 * The decode step's matrix-vector product ({@code CpuLinear.linear} with one row, all pool threads): W (out, in)
 * float32 or bf16. Counted bytes per call = out·in·(4 or 2) (the weights; x and y are noise), so GB/s = bytes /
 * time. Shapes: 768x2048 (an xLSTM Large 125M feed-forward up projection, 6.3 MB f32, cache-resident on big
 * machines) and 768x50304 (its LM head, 154.5 MB f32: memory-bound).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class MatvecBench {
    /** in x out. */
    @Param({"768x2048", "768x50304"})
    public String shape;

    @Param({"f32", "bf16"})
    public String dtype;

    private int in, out;
    private boolean bf16;
    private MemorySegment x, w, y;

    @Setup
    public void setup() {
        in = Integer.parseInt(shape.split("x")[0]);
        out = Integer.parseInt(shape.split("x")[1]);
        bf16 = dtype.equals("bf16");
        x = Data.floats(in, 1);
        w = bf16 ? Data.bf16(out * (long) in, 2) : Data.floats(out * (long) in, 2);
        y = Arena.ofAuto().allocate(4L * out, 64);
    }

    /** Bytes of weights one call reads (for GB/s). */
    public long bytes() { return (long) out * in * (bf16 ? 2 : 4); }

    @Benchmark
    public MemorySegment matvec() {
        CpuLinear.linear(x, 0, 1, in, w, 0, bf16, out, null, 0, y, 0);
        return y;
    }
}
