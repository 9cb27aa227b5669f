package xlstm.backends.opencl;

import static org.lwjgl.opencl.CL10.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.lwjgl.PointerBuffer;
import org.lwjgl.system.MemoryStack;
import org.lwjgl.system.MemoryUtil;
import xlstm.backends.SignalGuard;

/**
 * A context and an in-order command queue on one device, with a program cache keyed by the SHA-256 of build
 * options and source. Buffers are plain {@code cl_mem} read-write buffers; copies are blocking, so a host segment
 * may be reused as soon as a copy returns. Calls are not synchronised: share a context between threads only
 * under a lock.
 */
public final class ClContext implements AutoCloseable {
    private final OpenCl.Device device;
    private final long context;
    private final long queue;
    private final Map<String, ClProgram> programs = new ConcurrentHashMap<>();
    private boolean closed;

    public ClContext(OpenCl.Device device) {
        this.device = device;
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer err = stack.mallocInt(1);
            PointerBuffer props = stack.mallocPointer(3).put(CL_CONTEXT_PLATFORM).put(device.platform()).put(0).flip();
            context = clCreateContext(props, device.id(), null, 0, err);
            OpenClException.check(err.get(0), "clCreateContext on " + device.name());
            queue = clCreateCommandQueue(context, device.id(), 0, err);
            if (err.get(0) != CL_SUCCESS) {
                clReleaseContext(context);
                OpenClException.check(err.get(0), "clCreateCommandQueue on " + device.name());
            }
        }
    }

    public OpenCl.Device device() { return device; }

    /** How many distinct programs this context has built (the cache's size). */
    public int programCount() { return programs.size(); }

    /**
     * The program built from {@code source} with {@code options} (e.g. {@code -cl-std=CL1.2}); built once per
     * distinct (options, source) and cached. A source that enables {@code cl_khr_fp64} or {@code cl_khr_fp16} on a
     * device without it, and a build error, are {@link OpenClException}s naming {@code name} (the build log
     * included).
     */
    public ClProgram program(String name, String source, String options) {
        String opts = options == null ? "" : options;
        String key = sha256(opts + "\0" + source);
        ClProgram cached = programs.get(key);
        if (cached != null) return cached;
        synchronized (programs) {
            cached = programs.get(key);
            if (cached != null) return cached;
            ClProgram built = build(name, source, opts, key);
            programs.put(key, built);
            return built;
        }
    }

    private ClProgram build(String name, String source, String options, String key) {
        for (String ext : new String[] {"cl_khr_fp64", "cl_khr_fp16"}) {
            if (source.contains(ext) && !device.has(ext)) {
                throw new OpenClException("OpenCL: " + name + " needs " + ext + ", which " + device.name()
                        + " does not have");
            }
        }
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer err = stack.mallocInt(1);
            long program = clCreateProgramWithSource(context, source, err);
            OpenClException.check(err.get(0), "clCreateProgramWithSource(" + name + ")");
            // PoCL compiles with LLVM, which may install its crash handlers over the JVM's (SignalGuard)
            int rc = SignalGuard.preserving("building " + name, () -> clBuildProgram(program, device.id(), options, null, 0));
            if (rc != CL_SUCCESS) {
                String log = buildLog(program);
                clReleaseProgram(program);
                throw new OpenClException("OpenCL: building " + name + " failed (" + ClErrors.name(rc) + ") on "
                        + device.name() + (options.isEmpty() ? "" : " with options '" + options + "'") + ":\n"
                        + (log.isBlank() ? "(empty build log)" : log.strip()), rc, null);
            }
            return new ClProgram(this, name, program, key);
        }
    }

    private String buildLog(long program) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer size = stack.mallocPointer(1);
            if (clGetProgramBuildInfo(program, device.id(), CL_PROGRAM_BUILD_LOG, (ByteBuffer) null, size) != CL_SUCCESS) {
                return "(no build log)";
            }
            ByteBuffer buf = MemoryUtil.memAlloc((int) Math.max(1, size.get(0)));
            try {
                clGetProgramBuildInfo(program, device.id(), CL_PROGRAM_BUILD_LOG, buf, null);
                return OpenCl.cString(buf);
            } finally {
                MemoryUtil.memFree(buf);
            }
        }
    }

    /** A new read-write buffer of {@code bytes} (at least 1) bytes, uninitialised. */
    public ClBuffer buffer(long bytes) {
        try (MemoryStack stack = MemoryStack.stackPush()) {
            IntBuffer err = stack.mallocInt(1);
            long size = Math.max(1, bytes);
            long mem = clCreateBuffer(context, CL_MEM_READ_WRITE, size, err);
            OpenClException.check(err.get(0), "clCreateBuffer(" + size + " bytes)");
            return new ClBuffer(mem, size);
        }
    }

    /** Host → device: the whole of {@code src} to the start of {@code dst}. */
    public void write(ClBuffer dst, MemorySegment src) {
        long n = src.byteSize();
        if (n == 0) return;
        checkFits(dst, n);
        if (src.isNative()) {
            OpenClException.check(nclEnqueueWriteBuffer(queue, dst.handle(), CL_TRUE, 0, n, src.address(), 0, 0, 0),
                    "clEnqueueWriteBuffer");
        } else {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment tmp = arena.allocate(n, 64).copyFrom(src);
                write(dst, tmp);
            }
        }
    }

    /** Device → host: the first {@code dst.byteSize()} bytes of {@code src} into {@code dst}. */
    public void read(ClBuffer src, MemorySegment dst) {
        long n = dst.byteSize();
        if (n == 0) return;
        checkFits(src, n);
        if (dst.isNative()) {
            OpenClException.check(nclEnqueueReadBuffer(queue, src.handle(), CL_TRUE, 0, n, dst.address(), 0, 0, 0),
                    "clEnqueueReadBuffer");
        } else {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment tmp = arena.allocate(n, 64);
                read(src, tmp);
                dst.copyFrom(tmp);
            }
        }
    }

    /** Enqueues {@code kernel} over {@code global} work items (1 to 3 dimensions), with {@code local} or null. */
    public void launch(ClKernel kernel, long[] global, long[] local) {
        if (global.length < 1 || global.length > 3 || (local != null && local.length != global.length)) {
            throw new IllegalArgumentException("work sizes " + java.util.Arrays.toString(global) + " / "
                    + java.util.Arrays.toString(local));
        }
        for (long g : global) if (g == 0) return; // nothing to do (OpenCL 1.2 rejects a zero size)
        try (MemoryStack stack = MemoryStack.stackPush()) {
            PointerBuffer g = stack.mallocPointer(global.length);
            for (long v : global) g.put(v);
            g.flip();
            PointerBuffer l = null;
            if (local != null) {
                l = stack.mallocPointer(local.length);
                for (long v : local) l.put(v);
                l.flip();
            }
            int rc = clEnqueueNDRangeKernel(queue, kernel.handle(), global.length, null, g, l, null, null);
            OpenClException.check(rc, "clEnqueueNDRangeKernel(" + kernel.name() + ", global "
                    + java.util.Arrays.toString(global) + (local == null ? "" : ", local " + java.util.Arrays.toString(local)) + ")");
        }
    }

    /** Waits until every enqueued command has finished. */
    public void finish() {
        OpenClException.check(clFinish(queue), "clFinish");
    }

    private static void checkFits(ClBuffer b, long n) {
        if (n > b.byteSize()) throw new IllegalArgumentException(n + " bytes do not fit a buffer of " + b.byteSize());
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        for (ClProgram p : programs.values()) p.release();
        programs.clear();
        clReleaseCommandQueue(queue);
        clReleaseContext(context);
    }
}
