package xlstm.backends.cuda;

import java.lang.foreign.MemorySegment;

/**
 * Page-locked host memory of a {@link CudaContext}: an asynchronous copy from the device into it returns at once and
 * lands in stream order (into pageable memory the driver returns only once the copy is done, which waits for all
 * the work queued before it). {@link #close()} frees it; no queued copy may still use it then.
 */
public final class PinnedHost implements AutoCloseable {
    private final CudaContext ctx;
    private final MemorySegment segment;
    private boolean closed;

    PinnedHost(CudaContext ctx, MemorySegment segment) {
        this.ctx = ctx;
        this.segment = segment;
    }

    public MemorySegment segment() { return segment; }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        ctx.makeCurrent();
        ctx.driver().memFreeHost(segment);
    }
}
