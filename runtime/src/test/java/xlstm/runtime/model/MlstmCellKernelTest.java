package xlstm.runtime.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import xlstm.generated.MlstmCell;
import xlstm.runtime.config.BlockStackConfig;
import xlstm.runtime.io.WeightStore;
import xlstm.runtime.tensor.Tensor;

/** The cell extension point of {@link XlstmBlockStack}: a plugged-in cell runs in both forward and step. */
class MlstmCellKernelTest {

    /** The project's mLSTM again, but through its recurrent schedule, counting the calls. */
    static final class RecurrentMlstm implements MlstmCellKernel {
        final AtomicInteger forwards = new AtomicInteger(), steps = new AtomicInteger();

        @Override
        public void forward(int b, int nh, int s, int dqk, int dv, MemorySegment q, MemorySegment k, MemorySegment v,
                            MemorySegment i, MemorySegment f, MemorySegment c, MemorySegment n, MemorySegment m,
                            MemorySegment h) {
            forwards.incrementAndGet();
            MlstmCell.sequence(b, nh, s, dqk, dv, q, k, v, i, f, c, n, m, h, MlstmCell.DEFAULT_EPS);
        }

        @Override
        public void step(int b, int nh, int dqk, int dv, MemorySegment q, MemorySegment k, MemorySegment v,
                         MemorySegment i, MemorySegment f, MemorySegment c, MemorySegment n, MemorySegment m,
                         MemorySegment h) {
            steps.incrementAndGet();
            MlstmCell.step(b, nh, dqk, dv, q, k, v, i, f, c, n, m, h, MlstmCell.DEFAULT_EPS);
        }
    }

    @Test
    void pluggedCellRunsInForwardAndStep() {
        GoldenFixture f = GoldenFixture.load("block_stack_mixed");
        BlockStackConfig cfg = BlockStackConfig.fromJson(f.config());
        RecurrentMlstm cell = new RecurrentMlstm();
        XlstmBlockStack stack = XlstmBlockStack.load(cfg, WeightStore.open(f.dir().resolve("weights.safetensors")), "", cell);
        long mlstmBlocks = cfg.blockMap().stream().filter(x -> x == 0).count();
        assertTrue(mlstmBlocks > 0);

        // the recurrent schedule of the same cell reproduces the reference (computed with the parallel form)
        f.assertClose("y (recurrent mLSTM cell)", stack.forward(f.io("x")), f.io("y"));
        assertEquals(mlstmBlocks, cell.forwards.get());

        Tensor x = f.io("x");
        int b = Math.toIntExact(x.dim(0)), e = Math.toIntExact(x.dim(2));
        BlockStackState state = stack.newState(b);
        float[] xt = new float[b * e];
        for (int r = 0; r < b; r++) System.arraycopy(x.toFloatArray(), r * Math.toIntExact(x.dim(1)) * e, xt, r * e, e);
        stack.step(Tensor.of(xt, b, 1, e), state);
        assertEquals(mlstmBlocks, cell.steps.get());
    }

    @Test
    void defaultCellIsTheProjectsMlstm() {
        GoldenFixture f = GoldenFixture.load("block_stack_mlstm");
        BlockStackConfig cfg = BlockStackConfig.fromJson(f.config());
        WeightStore w = WeightStore.open(f.dir().resolve("weights.safetensors"));
        f.assertClose("y (MLSTM)", XlstmBlockStack.load(cfg, w, "", MlstmCellKernel.MLSTM).forward(f.io("x")), f.io("y"));
        assertThrows(IllegalArgumentException.class, () -> XlstmBlockStack.load(cfg, w, "", null));
    }
}
