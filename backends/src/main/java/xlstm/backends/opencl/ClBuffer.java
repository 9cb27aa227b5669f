package xlstm.backends.opencl;

import static org.lwjgl.opencl.CL10.clReleaseMemObject;

/** A device buffer ({@code cl_mem}); {@link #close()} releases it. */
public final class ClBuffer implements AutoCloseable {
    private final long handle;
    private final long bytes;
    private boolean released;

    ClBuffer(long handle, long bytes) {
        this.handle = handle;
        this.bytes = bytes;
    }

    public long handle() { return handle; }

    public long byteSize() { return bytes; }

    @Override
    public synchronized void close() {
        if (!released) {
            released = true;
            clReleaseMemObject(handle);
        }
    }
}
