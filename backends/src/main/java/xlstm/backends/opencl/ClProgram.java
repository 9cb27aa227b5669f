package xlstm.backends.opencl;

import static org.lwjgl.opencl.CL10.*;

import java.nio.IntBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.lwjgl.system.MemoryStack;

/** A built program; its kernels are created on first use and kept (one {@code cl_kernel} per entry name). */
public final class ClProgram {
    private final ClContext context;
    private final String name;
    private final long handle;
    private final String hash;
    private final Map<String, ClKernel> kernels = new ConcurrentHashMap<>();

    ClProgram(ClContext context, String name, long handle, String hash) {
        this.context = context;
        this.name = name;
        this.handle = handle;
        this.hash = hash;
    }

    public String name() { return name; }

    /** SHA-256 of options and source, the cache key. */
    public String hash() { return hash; }

    /** The kernel {@code entry} of this program; an unknown name is an {@link OpenClException} naming both. */
    public ClKernel kernel(String entry) {
        return kernels.computeIfAbsent(entry, e -> {
            try (MemoryStack stack = MemoryStack.stackPush()) {
                IntBuffer err = stack.mallocInt(1);
                long k = clCreateKernel(handle, e, err);
                OpenClException.check(err.get(0), "clCreateKernel(" + name + ", " + e + ")");
                return new ClKernel(e, k);
            }
        });
    }

    void release() {
        for (ClKernel k : kernels.values()) clReleaseKernel(k.handle());
        kernels.clear();
        clReleaseProgram(handle);
    }

    ClContext context() { return context; }
}
