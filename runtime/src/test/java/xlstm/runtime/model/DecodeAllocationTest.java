package xlstm.runtime.model;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import xlstm.runtime.config.XlstmLargeConfig;
import xlstm.runtime.tensor.Tensor;

/**
 * The decode step's per-token path allocates no tensors: heap bytes allocated by the calling thread and the CPU
 * pool's threads, per step after warm-up, measured with {@code com.sun.management.ThreadMXBean}. What remains are the
 * lambdas and varargs arrays of the parallel calls (tens of bytes each, about 1.1 KB per block here); the bound
 * allows them but not a tensor: each tensor costs its wrapper objects (~300 bytes) besides its memory, and the step
 * runs about 20 per block (before the step buffers, each was allocated anew on every step).
 */
class DecodeAllocationTest {
    static final int BLOCKS = 2;
    /** Bytes per step allowed. */
    static final long BOUND = 1536L * BLOCKS;

    @Test
    void decodeStepAllocatesAlmostNothing() {
        XlstmLargeConfig cfg = XlstmLargeConfig.of(256, 4, BLOCKS, 1000).withMode("inference", true);
        RandomWeights w = new RandomWeights(0.1f);
        w.require("embedding.weight", 1000, 256); // made up front: the model looks for it by name
        XlstmLarge model = XlstmLarge.load(cfg, w);
        LargeState state = model.newState(1);
        long[] ids = {5};
        Tensor first = model.step(ids, state);
        for (int t = 0; t < 2000; t++) model.step(ids, state);
        int steps = 500;
        long[] threads = measuredThreads();
        long before = allocated(threads);
        for (int t = 0; t < steps; t++) {
            ids[0] = t % 1000;
            assertSame(first, model.step(ids, state), "the logits live in the state");
        }
        long perStep = (allocated(threads) - before) / steps;
        System.out.println("decode step: " + perStep + " bytes allocated per step (bound " + BOUND + ")");
        assertTrue(perStep <= BOUND, perStep + " bytes allocated per decode step (bound " + BOUND + ")");
    }

    /** This thread and the CPU pool's threads. */
    private static long[] measuredThreads() {
        List<Long> ids = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t == Thread.currentThread() || t.getName().startsWith("xlstm-cpu-")) ids.add(t.threadId());
        }
        return ids.stream().mapToLong(Long::longValue).toArray();
    }

    /** Heap bytes allocated so far by {@code threads}. */
    private static long allocated(long[] threads) {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (long b : mx.getThreadAllocatedBytes(threads)) sum += Math.max(0, b);
        return sum;
    }
}
