package xlstm.runtime.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import xlstm.backends.cuda.CuEvent;
import xlstm.backends.cuda.CudaContext;

/**
 * Host buffers for token ids (and the numbers of device draws) copied to the device in stream order. A blocking {@code cuMemcpyHtoD} does not wait
 * for the work queued on the context's non-blocking stream, so it could overwrite ids that a queued kernel has not
 * read yet; an asynchronous copy is ordered, but its host source must stay untouched until the device has taken it.
 * So each copy records an event, and a buffer is reused only after its event: {@value #SLOTS} buffers in turn, so
 * that a few copies can wait in the stream's queue without the host waiting for them.
 */
final class HostStaging implements AutoCloseable {
    static final int SLOTS = 4;
    private final CudaContext ctx;
    private final CuEvent[] copied = new CuEvent[SLOTS];
    private final boolean[] pending = new boolean[SLOTS];
    private final Arena[] arenas = new Arena[SLOTS];
    private final MemorySegment[] buffers = new MemorySegment[SLOTS];
    private int next;

    HostStaging(CudaContext ctx) {
        this.ctx = ctx;
        try {
            for (int i = 0; i < SLOTS; i++) {
                copied[i] = ctx.event();
                buffers[i] = MemorySegment.NULL;
            }
        } catch (RuntimeException ex) {
            close();
            throw ex;
        }
    }

    /** Queues the copy of {@code values} (float64) to the device address {@code dst}; returns without waiting for it. */
    void write(long dst, double[] values) {
        long[] bits = new long[values.length];
        for (int i = 0; i < values.length; i++) bits[i] = Double.doubleToRawLongBits(values[i]);
        write(dst, bits);
    }

    /** Queues the copy of {@code ids} (int64) to the device address {@code dst}; returns without waiting for it. */
    void write(long dst, long[] ids) {
        if (ids.length == 0) return;
        int i = next;
        next = (next + 1) % SLOTS;
        if (pending[i]) copied[i].synchronize(); // that slot's last copy may still read it
        long bytes = 8L * ids.length;
        if (buffers[i].byteSize() < bytes) {
            if (arenas[i] != null) arenas[i].close();
            arenas[i] = Arena.ofShared();
            buffers[i] = arenas[i].allocate(bytes, 16);
        }
        MemorySegment slice = buffers[i].asSlice(0, bytes);
        MemorySegment.copy(ids, 0, slice, ValueLayout.JAVA_LONG, 0, ids.length);
        ctx.writeAsyncAt(dst, slice);
        copied[i].record();
        pending[i] = true;
    }

    @Override
    public void close() {
        for (int i = 0; i < SLOTS; i++) {
            if (copied[i] == null) continue;
            if (pending[i]) copied[i].synchronize();
            pending[i] = false;
            copied[i].close();
            if (arenas[i] != null) arenas[i].close();
            arenas[i] = null;
        }
    }
}
