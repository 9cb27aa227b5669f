package xlstm.backends.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The primary context of one CUDA device and a stream on it, with a module cache keyed by the SHA-256 of the
 * compile target, options and source: CUDA C++ is compiled by NVRTC for the device's architecture
 * ({@code --gpu-architecture=compute_XX}, the highest NVRTC knows that is not above the device's compute capability;
 * never fast math) and the PTX loaded by the driver, which JIT-compiles it for the device.
 *
 * <p>Every method makes the context current on the calling thread first. Work queued on {@link #stream()} (async
 * copies, launches) runs in order; {@link #synchronize(String)} waits for it and reports the errors of earlier
 * launches. Not synchronised: share a context between threads only under a lock.
 */
public final class CudaContext implements AutoCloseable {
    private static final ThreadLocal<MemorySegment> CURRENT = new ThreadLocal<>();

    private final CudaDriver driver;
    private final Cuda.Device device;
    private final MemorySegment context;
    private final MemorySegment stream;
    private final Map<String, CuModule> modules = new ConcurrentHashMap<>();
    private final Map<String, CuFunction> functions = new ConcurrentHashMap<>();
    /** Shared memory a block gets without asking; above it cuFuncSetAttribute must raise the kernel's limit. */
    private static final int DEFAULT_SHARED = 48 * 1024;
    /** Per kernel handle, the dynamic shared-memory limit set so far. */
    private final Map<Long, Integer> dynamicShared = new ConcurrentHashMap<>();
    private boolean closed;

    /** Retains {@code device}'s primary context and creates a non-blocking stream on it. */
    public CudaContext(Cuda.Device device) {
        this.driver = CudaDriver.get();
        this.device = device;
        this.context = driver.primaryContextRetain(device.handle());
        makeCurrent();
        this.stream = driver.streamCreate(CudaDriver.CU_STREAM_NON_BLOCKING);
    }

    public Cuda.Device device() { return device; }

    CudaDriver driver() { return driver; }

    /** The context's stream ({@code CUstream}), on which copies, launches and events are queued. */
    public MemorySegment stream() { return stream; }

    /** {@code cuCtxSetCurrent} on the calling thread, when this context is not already current there. */
    public void makeCurrent() {
        if (closed) throw new IllegalStateException("CUDA context of " + device.name() + " used after close");
        if (CURRENT.get() != context) {
            driver.setCurrent(context);
            CURRENT.set(context);
        }
    }

    /** {free, total} bytes of device memory. */
    public long[] memoryInfo() {
        makeCurrent();
        return driver.memoryInfo();
    }

    // ------------------------------------------------------------------ modules

    /** How many distinct modules this context has loaded (the cache's size). */
    public int moduleCount() { return modules.size(); }

    /** The NVRTC options {@link #module} compiles with on this device. */
    public List<String> compileOptions() {
        return List.of("--gpu-architecture=compute_" + Nvrtc.get().archFor(device.computeCapability()));
    }

    /**
     * The module compiled from the CUDA C++ {@code source} (named {@code name} in messages) with
     * {@link #compileOptions()} plus {@code extraOptions}; compiled and loaded once per distinct (target, options,
     * source). A compile error is a {@link CudaException} with NVRTC's log.
     */
    public CuModule module(String name, String source, String... extraOptions) {
        List<String> options = new ArrayList<>(compileOptions());
        options.addAll(List.of(extraOptions));
        String key = sha256(String.join("\u0001", options) + "\u0000" + source);
        CuModule m = modules.get(key);
        if (m != null) return m;
        synchronized (modules) {
            m = modules.get(key);
            if (m != null) return m;
            m = compileAndLoad(name, source, options, key);
            modules.put(key, m);
            return m;
        }
    }

    private CuModule compileAndLoad(String name, String source, List<String> options, String key) {
        Nvrtc nvrtc = Nvrtc.get();
        Nvrtc.Compiled ptx = nvrtc.compile(name, source, options, false);
        makeCurrent();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment image = a.allocate(ptx.image().length + 1L);
            image.copyFrom(MemorySegment.ofArray(ptx.image()));
            String target = options.getFirst().substring(options.getFirst().indexOf('=') + 1);
            return new CuModule(driver.moduleLoadDataEx(image, name + ", " + target + " PTX"), name, target, key, ptx.log());
        } catch (CudaException e) {
            // PTX newer than the driver's JIT (NVRTC from a newer toolkit): let NVRTC make the device code itself
            if (e.code() != CudaDriver.CUDA_ERROR_UNSUPPORTED_PTX_VERSION || !nvrtc.canMakeCubin()) throw e;
            List<String> sm = new ArrayList<>(options);
            String target = "sm_" + nvrtc.archFor(device.computeCapability());
            sm.set(0, "--gpu-architecture=" + target);
            Nvrtc.Compiled cubin = nvrtc.compile(name, source, sm, true);
            return load(name + " (" + target + " cubin)", cubin.image(), target, key, cubin.log());
        }
    }

    /**
     * Loads a module from a ready image: PTX text (with or without its NUL) or a cubin/fatbin, e.g. built by
     * {@code nvcc} at build time; cached under {@code key} (a second call with the same key loads nothing).
     */
    public CuModule load(String name, byte[] image, String target, String key, String log) {
        CuModule cached = modules.get(key);
        if (cached != null) return cached;
        makeCurrent();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment img = a.allocate(image.length + 1L);
            img.copyFrom(MemorySegment.ofArray(image));
            CuModule m = new CuModule(driver.moduleLoadDataEx(img, name), name, target, key, log == null ? "" : log);
            modules.putIfAbsent(key, m);
            return modules.get(key);
        }
    }

    /** The kernel {@code entry} of {@code module}, looked up once. */
    public CuFunction function(CuModule module, String entry) {
        return functions.computeIfAbsent(module.hash() + "/" + entry, k -> {
            makeCurrent();
            MemorySegment f = driver.moduleGetFunction(module.handle(), entry);
            return new CuFunction(f, entry, driver.functionAttribute(f, CudaDriver.CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK),
                    driver.functionAttribute(f, CudaDriver.CU_FUNC_ATTRIBUTE_NUM_REGS));
        });
    }

    // ------------------------------------------------------------------ memory

    /** {@code bytes} bytes of device memory (at least 1), uninitialised. */
    public CuBuffer buffer(long bytes) {
        makeCurrent();
        long size = Math.max(1, bytes);
        return new CuBuffer(this, driver.memAlloc(size), size);
    }

    void free(long pointer) {
        if (closed) return;
        makeCurrent();
        driver.memFree(pointer);
    }

    /** Copies {@code src} (native or heap) into the start of {@code dst}, blocking. */
    public void write(CuBuffer dst, MemorySegment src) {
        long n = fits(src, dst);
        if (n == 0) return;
        makeCurrent();
        if (src.isNative()) {
            driver.copyHtoD(dst.pointer(), src, n);
        } else {
            try (Arena a = Arena.ofConfined()) {
                driver.copyHtoD(dst.pointer(), a.allocate(n, 16).copyFrom(src), n);
            }
        }
    }

    /** Copies the start of {@code src} into {@code dst} (native or heap), blocking. */
    public void read(CuBuffer src, MemorySegment dst) {
        long n = fits(dst, src);
        if (n == 0) return;
        makeCurrent();
        if (dst.isNative()) {
            driver.copyDtoH(dst, src.pointer(), n);
        } else {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment tmp = a.allocate(n, 16);
                driver.copyDtoH(tmp, src.pointer(), n);
                dst.copyFrom(tmp);
            }
        }
    }

    /** Queues a copy of the native segment {@code src} into {@code dst}; {@code src} must live until a synchronize. */
    public void writeAsync(CuBuffer dst, MemorySegment src) {
        long n = fits(src, dst);
        if (n == 0) return;
        if (!src.isNative()) throw new IllegalArgumentException("an asynchronous copy needs a native segment");
        makeCurrent();
        driver.copyHtoDAsync(dst.pointer(), src, n, stream);
    }

    /** Queues a copy of {@code src} into the native segment {@code dst}, which holds it after a synchronize. */
    public void readAsync(CuBuffer src, MemorySegment dst) {
        long n = fits(dst, src);
        if (n == 0) return;
        if (!dst.isNative()) throw new IllegalArgumentException("an asynchronous copy needs a native segment");
        makeCurrent();
        driver.copyDtoHAsync(dst, src.pointer(), n, stream);
    }

    /** Copies {@code src} (native or heap) to the device address {@code dst}, blocking. */
    public void writeAt(long dst, MemorySegment src) {
        long n = src.byteSize();
        if (n == 0) return;
        makeCurrent();
        if (src.isNative()) {
            driver.copyHtoD(dst, src, n);
        } else {
            try (Arena a = Arena.ofConfined()) {
                driver.copyHtoD(dst, a.allocate(n, 16).copyFrom(src), n);
            }
        }
    }

    /** Queues a copy of {@code dst.byteSize()} bytes from the device address {@code src} into the native {@code dst}. */
    public void readAsyncAt(long src, MemorySegment dst) {
        if (!dst.isNative()) throw new IllegalArgumentException("an asynchronous copy needs a native segment");
        makeCurrent();
        driver.copyDtoHAsync(dst, src, dst.byteSize(), stream);
    }

    /** Queues a copy of the native {@code src} to the device address {@code dst}; {@code src} must outlive it. */
    public void writeAsyncAt(long dst, MemorySegment src) {
        if (!src.isNative()) throw new IllegalArgumentException("an asynchronous copy needs a native segment");
        makeCurrent();
        driver.copyHtoDAsync(dst, src, src.byteSize(), stream);
    }

    /** Queues a device-to-device copy of {@code bytes} bytes. */
    public void copyAsync(long dst, long src, long bytes) {
        if (bytes == 0) return;
        makeCurrent();
        driver.copyDtoDAsync(dst, src, bytes, stream);
    }

    /** Queues zeroing {@code bytes} bytes (a multiple of 4) at {@code dst}. */
    public void zeroAsync(long dst, long bytes) {
        if (bytes % 4 != 0) throw new IllegalArgumentException("zeroAsync takes whole 32-bit words, got " + bytes + " bytes");
        if (bytes == 0) return;
        makeCurrent();
        driver.memsetD32Async(dst, 0, bytes / 4, stream);
    }

    private static long fits(MemorySegment host, CuBuffer dev) {
        if (host.byteSize() > dev.byteSize()) {
            throw new IllegalArgumentException("a " + host.byteSize() + "-byte segment does not fit " + dev);
        }
        return host.byteSize();
    }

    // ------------------------------------------------------------------ launches, synchronisation, events

    /** Queues {@code f} on the stream with a 1-D grid of {@code grid} blocks of {@code block} threads. */
    public void launch(CuFunction f, long grid, int block, KernelArgs args) {
        launch(f, grid, block, 0, args);
    }

    /**
     * As {@link #launch(CuFunction, long, int, KernelArgs)} with {@code sharedBytes} of dynamic shared memory per
     * block; above the default 48 KB the kernel's limit is raised first (once per size).
     */
    public void launch(CuFunction f, long grid, int block, int sharedBytes, KernelArgs args) {
        launch(f, grid, block, sharedBytes, args, false);
    }

    /**
     * As {@link #launch(CuFunction, long, int, int, KernelArgs)}; with {@code dependent} (and a driver that has
     * {@code cuLaunchKernelEx}) as a programmatic dependent launch ({@link CudaDriver#launchDependent}): only for
     * kernels that wait for their predecessor at their top.
     */
    public void launch(CuFunction f, long grid, int block, int sharedBytes, KernelArgs args, boolean dependent) {
        if (grid < 1 || grid > device.maxGridX()) {
            throw new IllegalArgumentException(f.name() + ": grid of " + grid + " blocks (1.." + device.maxGridX() + ")");
        }
        if (block < 1 || block > f.maxThreadsPerBlock()) {
            throw new IllegalArgumentException(f.name() + ": block of " + block + " threads (1.." + f.maxThreadsPerBlock() + ")");
        }
        makeCurrent();
        if (sharedBytes > DEFAULT_SHARED && dynamicShared.getOrDefault(f.handle().address(), 0) < sharedBytes) {
            driver.setFunctionAttribute(f.handle(), CudaDriver.CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, sharedBytes);
            dynamicShared.put(f.handle().address(), sharedBytes);
        }
        try (Arena a = Arena.ofConfined()) {
            if (dependent && driver.hasDependentLaunch()) {
                driver.launchDependent(f.handle(), (int) grid, block, sharedBytes, stream, args.pack(a), f.name(), a);
            } else {
                driver.launch(f.handle(), (int) grid, block, sharedBytes, stream, args.pack(a), f.name());
            }
        }
    }

    /**
     * How many clusters of {@code f} (a kernel with a compile-time cluster size) can be resident at once for a 1-D
     * launch of {@code grid} x {@code block} with {@code sharedBytes} of dynamic shared memory: 0 when none can (the
     * launch would fail) or the driver cannot tell.
     */
    public int maxActiveClusters(CuFunction f, int grid, int block, int sharedBytes) {
        makeCurrent();
        return driver.maxActiveClusters(f.handle(), grid, block, sharedBytes);
    }

    /** Waits for the stream's work; a failed launch before it is reported here, naming {@code after}. */
    public void synchronize(String after) {
        makeCurrent();
        driver.streamSynchronize(stream, after);
    }

    /**
     * Records what {@code work} queues on the stream into a CUDA graph instead of running it, and instantiates
     * it: {@link CudaGraph#launch()} replays those launches and copies with one call. {@code work} must only queue
     * work (no synchronisation, no allocation); its kernel arguments are fixed at capture.
     */
    public CudaGraph capture(Runnable work) {
        makeCurrent();
        driver.streamBeginCapture(stream, CudaDriver.CU_STREAM_CAPTURE_MODE_THREAD_LOCAL);
        MemorySegment graph;
        try {
            work.run();
        } finally {
            graph = driver.streamEndCapture(stream);
        }
        try {
            return new CudaGraph(this, graph, driver.graphInstantiate(graph));
        } catch (RuntimeException e) {
            driver.graphDestroy(graph);
            throw e;
        }
    }

    /** A timing event for this context's stream. */
    /** Page-locked host memory of {@code bytes} bytes (see {@link PinnedHost}). */
    public PinnedHost pinned(long bytes) {
        makeCurrent();
        return new PinnedHost(this, driver.memHostAlloc(bytes));
    }

    public CuEvent event() {
        makeCurrent();
        return new CuEvent(this, driver.eventCreate(CudaDriver.CU_EVENT_DEFAULT));
    }

    /** Destroys the stream and releases the primary context (modules and buffers go with the context). */
    @Override
    public synchronized void close() {
        if (closed) return;
        makeCurrent();
        driver.streamSynchronize(stream, null);
        for (CuModule m : modules.values()) driver.moduleUnload(m.handle());
        modules.clear();
        functions.clear();
        driver.streamDestroy(stream);
        closed = true;
        CURRENT.remove();
        driver.primaryContextRelease(device.handle());
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
