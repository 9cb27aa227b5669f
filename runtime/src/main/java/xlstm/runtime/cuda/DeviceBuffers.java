package xlstm.runtime.cuda;

import java.util.ArrayList;
import java.util.List;
import xlstm.backends.cuda.CuBuffer;
import xlstm.backends.cuda.CudaContext;

/** Device allocations made together and freed together; {@link #alloc} hands out their addresses. */
final class DeviceBuffers implements AutoCloseable {
    private final CudaContext ctx;
    private final List<CuBuffer> owned = new ArrayList<>();
    private long bytes;

    DeviceBuffers(CudaContext ctx) {
        this.ctx = ctx;
    }

    /** {@code n} bytes (at least 16), uninitialised; its device address. */
    long alloc(long n) {
        CuBuffer b = ctx.buffer((Math.max(16, n) + 3) / 4 * 4);
        owned.add(b);
        bytes += b.byteSize();
        return b.pointer();
    }

    /** {@code n} bytes, zeroed on the stream. */
    long zeros(long n) {
        long p = alloc(n);
        ctx.zeroAsync(p, (Math.max(16, n) + 3) / 4 * 4); // alloc's size
        return p;
    }

    /** Waits for the work queued on the context (before freeing what it may still use). */
    void synchronize() {
        ctx.synchronize("freeing device memory");
    }

    CudaContext context() { return ctx; }

    /** Bytes held. */
    long bytes() { return bytes; }

    @Override
    public void close() {
        ctx.synchronize("freeing device buffers");
        for (CuBuffer b : owned) b.close();
        owned.clear();
        bytes = 0;
    }
}
