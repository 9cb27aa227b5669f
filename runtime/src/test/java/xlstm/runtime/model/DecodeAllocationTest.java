package xlstm.runtime.model;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import xlstm.backends.cpu.DecodeProfile;
import xlstm.runtime.config.XlstmLargeConfig;
import xlstm.runtime.tensor.Tensor;

/**
 * The decode step's per-token path allocates nothing: heap bytes allocated by the calling thread and the CPU pool's
 * threads over windows of steps, measured with {@code com.sun.management.ThreadMXBean}. Until C2 has compiled a
 * kernel, its Vector API values are boxed objects (interpreter and C1), and on a loaded machine the compile queue
 * can take seconds: so the test runs windows until one is clean, within a time limit, rather than one fixed window.
 * The only bytes allowed in a window are those of the measurement itself (the {@code long[]} that
 * {@code getThreadAllocatedBytes} returns), measured on an empty window.
 */
class DecodeAllocationTest {
    static final int BLOCKS = 2;
    /** Steps per measured window. */
    static final int WINDOW = 200;
    /** How long the JIT may take to settle before the test gives up. */
    static final long LIMIT_NANOS = 60_000_000_000L;

    @Test
    void decodeStepAllocatesNothing() {
        measure(false, 4);
    }

    /** One head: fewer (b, h) pairs than threads on any machine with two or more, so the cell step splits heads. */
    @Test
    void tiledDecodeStepAllocatesNothing() {
        measure(false, 1);
    }

    /** {@link DecodeProfile} on: its counters are fixed arrays, a profiled step allocates nothing either. */
    @Test
    void profiledDecodeStepAllocatesNothing() {
        DecodeProfile.start();
        try {
            measure(true, 4);
        } finally {
            DecodeProfile.stop();
        }
    }

    private static void measure(boolean profiled, int heads) {
        XlstmLargeConfig cfg = XlstmLargeConfig.of(256, heads, BLOCKS, 1000).withMode("inference", true);
        RandomWeights w = new RandomWeights(0.1f);
        w.require("embedding.weight", 1000, 256); // made up front: the model looks for it by name
        XlstmLarge model = XlstmLarge.load(cfg, w);
        LargeState state = model.newState(1);
        long[] ids = {5};
        Tensor first = model.step(ids, state);
        for (int t = 0; t < 2000; t++) model.step(ids, state);
        long[] threads = measuredThreads();
        long overhead = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) overhead = Math.min(overhead, -allocated(threads) + allocated(threads));
        long best = Long.MAX_VALUE;
        int windows = 0;
        long start = System.nanoTime();
        while (best > overhead && System.nanoTime() - start < LIMIT_NANOS) {
            long before = allocated(threads);
            for (int t = 0; t < WINDOW; t++) {
                ids[0] = t % 1000;
                assertSame(first, model.step(ids, state), "the logits live in the state");
            }
            best = Math.min(best, allocated(threads) - before);
            windows++;
        }
        System.out.println((profiled ? "profiled " : "") + "decode step (" + heads + " heads): " + (best - overhead) + " bytes allocated in the best of " + windows
                + " windows of " + WINDOW + " steps (measurement overhead " + overhead + " bytes)");
        assertTrue(best <= overhead, (best - overhead) + " bytes allocated by " + WINDOW
                + " decode steps in the best of " + windows + " windows");
    }

    /** This thread and the CPU pool's threads. */
    private static long[] measuredThreads() {
        List<Long> ids = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t == Thread.currentThread() || t.getName().startsWith("xlstm-cpu-")) ids.add(t.threadId());
        }
        return ids.stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * Heap bytes allocated so far by {@code threads} (this thread among them), read one thread at a time: the array
     * variant of {@code getThreadAllocatedBytes} allocates its result and more on this thread.
     */
    private static long allocated(long[] threads) {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long self = Thread.currentThread().threadId();
        long sum = 0;
        for (long id : threads) sum += Math.max(0, id == self ? mx.getCurrentThreadAllocatedBytes() : mx.getThreadAllocatedBytes(id));
        return sum;
    }
}
