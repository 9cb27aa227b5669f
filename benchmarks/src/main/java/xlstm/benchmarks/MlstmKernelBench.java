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
import xlstm.generated.MlstmCell;
import xlstm.runtime.backend.JavaKernels;
import xlstm.runtime.tensor.Tensor;

/**
 * The mLSTM cell at the head shape of xLSTM Large 125M (B=1, NH=4, DQK=96, DV=192), generated from
 * {@code cells/mlstm.xl}: {@code step} is one decode token with the state carried, as the CPU backend runs it (tiled
 * over value columns: {@code stepTiled}), {@code stepUntiled} the generated step alone (counted bytes per call: the state C
 * read and written, 2·NH·DQK·DV·4 = 590 KB, so GB/s = bytes / time); {@code chunkwise} is a prefill of {@code seqLen}
 * tokens, chunk 64, from a zero state (counted FLOPs per call: per chunk of L tokens and head,
 * 2·(L²·DQK + L·DQK·DV + L²·DV + DQK·L·DV), so GFLOP/s = FLOPs / time).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class MlstmKernelBench {
    static final int NH = 4, DQK = 96, DV = 192, CHUNK = 64;

    @Param({"512"})
    public int seqLen;

    private Workloads.Cell step, seq;

    @Setup
    public void setup() {
        step = Workloads.cell(1, NH, 1, DQK, DV, 3);
        seq = Workloads.cell(1, NH, seqLen, DQK, DV, 4);
    }

    @Benchmark
    public Tensor step() {
        JavaKernels.INSTANCE.mlstmStep(1, NH, DQK, DV, step.q().data(), step.k().data(), step.v().data(),
                step.i().data(), step.f().data(), step.c().data(), step.n().data(), step.m().data(), step.h().data(),
                MlstmCell.DEFAULT_EPS);
        return step.h();
    }

    /** The generated step without the split over value columns ({@code -Dxlstm.cpu.stepTiles=false}'s path). */
    @Benchmark
    public Tensor stepUntiled() {
        MlstmCell.step(1, NH, DQK, DV, step.q().data(), step.k().data(), step.v().data(), step.i().data(),
                step.f().data(), step.c().data(), step.n().data(), step.m().data(), step.h().data(), MlstmCell.DEFAULT_EPS);
        return step.h();
    }

    @Benchmark
    public Tensor chunkwise() {
        seq.chunkwise(CHUNK);
        return seq.h();
    }
}
