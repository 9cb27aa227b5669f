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
 * The prefill's matrix product ({@code CpuLinear.linear} with {@code rows} rows: the packed GEMM, all pool threads):
 * y (rows, out) = x (rows, in) · Wᵀ, W float32 or bf16. Counted FLOPs per call = 2·rows·in·out, so GFLOP/s = FLOPs /
 * time. Shapes (in x out) of xLSTM Large 125M: 768x2048 (feed-forward up), 2048x768 (down), 768x50304 (LM head).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class GemmBench {
    @Param({"512"})
    public int rows;

    /** in x out. */
    @Param({"768x2048", "2048x768", "768x50304"})
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
        x = Data.floats((long) rows * in, 1);
        w = bf16 ? Data.bf16(out * (long) in, 2) : Data.floats(out * (long) in, 2);
        y = Arena.ofAuto().allocate(4L * rows * out, 64);
    }

    @Benchmark
    public MemorySegment gemm() {
        CpuLinear.linear(x, 0, rows, in, w, 0, bf16, out, null, 0, y, 0);
        return y;
    }
}
