package xlstm.runtime.cuda;

import java.lang.foreign.ValueLayout;
import xlstm.backends.cuda.CuEvent;
import xlstm.backends.cuda.PinnedHost;

/**
 * Greedy decoding with the host a step behind the device. {@link #queue} queues a decode step from the tokens the
 * last pass left on the device, then the copy of the step's arg-max tokens into page-locked host memory and an event;
 * {@link #next} waits for the oldest such copy. With {@value #DEPTH} steps queued the GPU goes from one step straight
 * to the next while the host handles the tokens of the one before, where reading each token before queuing the next
 * step leaves the GPU idle for the read, the host's work and the launch.
 *
 * <p>For generation whose state is dropped afterwards: a queued step may turn out not to be needed (a row's end of
 * sequence) and has then already advanced the state.
 */
public final class GreedyPipeline implements AutoCloseable {
    /** Steps queued ahead of the host at most. */
    public static final int DEPTH = 2;
    private final DeviceLarge model;
    private final DeviceLargeState st;
    private final PinnedHost[] slots = new PinnedHost[DEPTH];
    private final CuEvent[] copied = new CuEvent[DEPTH];
    private int head, queued;

    GreedyPipeline(DeviceLarge model, DeviceLargeState st) {
        this.model = model;
        this.st = st;
        try {
            for (int i = 0; i < DEPTH; i++) {
                slots[i] = model.context().pinned(8L * st.batch);
                copied[i] = model.context().event();
            }
        } catch (RuntimeException ex) {
            close();
            throw ex;
        }
    }

    /** Steps queued whose tokens {@link #next} has not returned yet. */
    public int queued() { return queued; }

    /** Queues a step from the tokens on the device and the copy of its tokens to the host; returns at once. */
    public void queue() {
        if (queued == DEPTH) throw new IllegalStateException(DEPTH + " steps are queued already");
        int i = (head + queued) % DEPTH;
        model.stepAndCopyTokens(st, slots[i].segment(), copied[i]);
        queued++;
    }

    /** The arg-max tokens (one per row) of the oldest queued step, once they are on the host. */
    public long[] next() {
        if (queued == 0) throw new IllegalStateException("no step queued");
        copied[head].synchronize();
        long[] tokens = slots[head].segment().toArray(ValueLayout.JAVA_LONG);
        head = (head + 1) % DEPTH;
        queued--;
        return tokens;
    }

    /** Waits for the steps still queued (their copies use the host memory freed here). */
    @Override
    public void close() {
        for (int k = 0; k < queued; k++) copied[(head + k) % DEPTH].synchronize();
        queued = 0;
        for (int i = 0; i < DEPTH; i++) {
            if (copied[i] != null) copied[i].close();
            if (slots[i] != null) slots[i].close();
        }
    }
}
