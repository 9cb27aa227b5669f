package xlstm.backends.cuda;

/** Device memory of {@link CudaContext#buffer}: a {@code CUdeviceptr} and its size; {@link #close()} frees it. */
public final class CuBuffer implements AutoCloseable {
    private final CudaContext ctx;
    private final long pointer;
    private final long byteSize;
    private boolean closed;

    CuBuffer(CudaContext ctx, long pointer, long byteSize) {
        this.ctx = ctx;
        this.pointer = pointer;
        this.byteSize = byteSize;
    }

    /** The device address ({@code CUdeviceptr}). */
    public long pointer() {
        if (closed) throw new IllegalStateException("CUDA buffer of " + byteSize + " bytes used after close");
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
    public String toString() { return "CuBuffer[0x" + Long.toHexString(pointer) + ", " + byteSize + " bytes]"; }
}
