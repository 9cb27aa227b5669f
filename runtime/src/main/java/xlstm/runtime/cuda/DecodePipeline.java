package xlstm.runtime.cuda;

import java.lang.foreign.ValueLayout;
import xlstm.backends.cuda.CuEvent;
import xlstm.backends.cuda.PinnedHost;
import xlstm.runtime.generation.SamplingParams;

/**
 * Decoding with the host a step behind the device, each step's tokens chosen on the device: the arg-max (greedy) or
 * a draw ({@link DeviceLarge#queueDraw}, with the numbers the host's samplers give). {@link #queue} queues a decode
 * step from the tokens the last pass left on the device, the choice of its tokens, then their copy into page-locked
 * host memory and an event; {@link #next} waits for the oldest such copy. With {@value #DEPTH} steps queued the GPU
 * goes from one step straight to the next while the host handles the tokens of the one before, where reading each
 * token before queuing the next step leaves the GPU idle for the read, the host's work and the launch.
 *
 * <p>For generation whose state is dropped afterwards: a queued step may turn out not to be needed (a row's end of
 * sequence) and has then already advanced the state.
 */
public final class DecodePipeline implements AutoCloseable {
    /** Steps queued ahead of the host at most. */
    public static final int DEPTH = 2;
    private final DeviceLarge model;
    private final DeviceLargeState st;
    private final SamplingParams draw;
    private final PinnedHost[] slots = new PinnedHost[DEPTH];
    private final CuEvent[] copied = new CuEvent[DEPTH];
    private int head, queued;

    /** {@code draw}: null for the arg-max, else the params the device draws with. */
    DecodePipeline(DeviceLarge model, DeviceLargeState st, SamplingParams draw) {
        if (draw != null && !DeviceLarge.drawsWith(draw)) throw new IllegalArgumentException("the device does not draw with " + draw);
        this.model = model;
        this.st = st;
        this.draw = draw;
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

    /**
     * Queues a step from the tokens on the device, the choice of its tokens and their copy to the host; returns at
     * once. {@code uniforms}: each row's number for a draw (null for the arg-max).
     */
    public void queue(double[] uniforms) {
        if (queued == DEPTH) throw new IllegalStateException(DEPTH + " steps are queued already");
        if ((draw == null) != (uniforms == null)) {
            throw new IllegalArgumentException(draw == null ? "an arg-max pipeline takes no numbers" : "a draw needs a number a row");
        }
        int i = (head + queued) % DEPTH;
        model.stepAndCopyTokens(st, draw, uniforms, slots[i].segment(), copied[i]);
        queued++;
    }

    /** The tokens (one per row) of the oldest queued step, once they are on the host. */
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
