package xlstm.backends.hip;

import java.lang.foreign.MemorySegment;

/** A {@code hipEvent_t} for timing work on a {@link HipContext}'s stream; {@link #close()} destroys it. */
public final class HipEvent implements AutoCloseable {
    private final HipContext ctx;
    private final MemorySegment handle;
    private boolean closed;

    HipEvent(HipContext ctx, MemorySegment handle) {
        this.ctx = ctx;
        this.handle = handle;
    }

    public MemorySegment handle() { return handle; }

    /** Records the event on the context's stream (after the work queued so far). */
    public HipEvent record() {
        ctx.makeCurrent();
        ctx.driver().eventRecord(handle, ctx.stream());
        return this;
    }

    public void synchronize() {
        ctx.makeCurrent();
        ctx.driver().eventSynchronize(handle);
    }

    /** Milliseconds from {@code start} to this event; both recorded, this one waited for first. */
    public float millisSince(HipEvent start) {
        synchronize();
        return ctx.driver().eventElapsedMillis(start.handle, handle);
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        ctx.makeCurrent();
        ctx.driver().eventDestroy(handle);
    }
}
