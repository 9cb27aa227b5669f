package xlstm.backends.cuda;

import java.lang.foreign.MemorySegment;

/** A {@code CUevent} for timing work on a {@link CudaContext}'s stream; {@link #close()} destroys it. */
public final class CuEvent implements AutoCloseable {
    private final CudaContext ctx;
    private final MemorySegment handle;
    private boolean closed;

    CuEvent(CudaContext ctx, MemorySegment handle) {
        this.ctx = ctx;
        this.handle = handle;
    }

    public MemorySegment handle() { return handle; }

    /** Records the event on the context's stream (after the work queued so far). */
    public CuEvent record() {
        ctx.makeCurrent();
        ctx.driver().eventRecord(handle, ctx.stream());
        return this;
    }

    public void synchronize() {
        ctx.makeCurrent();
        ctx.driver().eventSynchronize(handle);
    }

    /** Milliseconds from {@code start} to this event; both recorded, this one waited for first. */
    public float millisSince(CuEvent start) {
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
