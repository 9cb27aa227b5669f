package xlstm.backends.hip;

/** Device memory of {@link HipContext#buffer}: a device pointer and its size; {@link #close()} frees it. */
public final class HipBuffer implements AutoCloseable {
    private final HipContext ctx;
    private final long pointer;
    private final long byteSize;
    private boolean closed;

    HipBuffer(HipContext ctx, long pointer, long byteSize) {
        this.ctx = ctx;
        this.pointer = pointer;
        this.byteSize = byteSize;
    }

    /** The device address. */
    public long pointer() {
        if (closed) throw new IllegalStateException("HIP buffer of " + byteSize + " bytes used after close");
        return pointer;
    }

    public long byteSize() { return byteSize; }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        ctx.free(pointer);
    }

    @Override
    public String toString() { return "HipBuffer[0x" + Long.toHexString(pointer) + ", " + byteSize + " bytes]"; }
}
