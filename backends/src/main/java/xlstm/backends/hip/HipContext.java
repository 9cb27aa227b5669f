package xlstm.backends.hip;

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
import xlstm.backends.cuda.KernelArgs;

/**
 * One HIP device and a stream on it, with a module cache keyed by the SHA-256 of the compile options and source:
 * HIP C++ is compiled by {@link Hiprtc} (for the current device, or {@code -Dxlstm.hip.arch=gfx90a}; never fast
 * math) and the code object loaded with {@code hipModuleLoadData}; {@link #load} takes a code object built ahead of
 * time instead (hipcc/clang {@code --offload-arch}), for installations without hiprtc. The design mirrors
 * {@code xlstm.backends.cuda.CudaContext}; launch arguments are the same {@link KernelArgs} ({@code void*[]} of
 * values). UNTESTED on an AMD GPU.
 *
 * <p>Every method makes the device current on the calling thread first ({@code hipSetDevice}). Work queued on
 * {@link #stream()} runs in order; {@link #synchronize(String)} waits for it and reports the errors of earlier
 * launches. Not synchronised: share a context between threads only under a lock.
 */
public final class HipContext implements AutoCloseable {
    /** The property naming the GPU architecture hiprtc compiles for ({@code gfx90a}); default: the device's. */
    public static final String ARCH_PROPERTY = "xlstm.hip.arch";
    private static final ThreadLocal<Integer> CURRENT = new ThreadLocal<>();

    private final HipDriver driver;
    private final Hip.Device device;
    private final MemorySegment stream;
    private final Map<String, HipModule> modules = new ConcurrentHashMap<>();
    private final Map<String, HipFunction> functions = new ConcurrentHashMap<>();
    private boolean closed;

    /** Makes {@code device} current and creates a non-blocking stream on it. */
    public HipContext(Hip.Device device) {
        this.driver = HipDriver.get();
        this.device = device;
        makeCurrent();
        this.stream = driver.streamCreate(HipDriver.HIP_STREAM_NON_BLOCKING);
    }

    public Hip.Device device() { return device; }

    HipDriver driver() { return driver; }

    /** The context's stream ({@code hipStream_t}). */
    public MemorySegment stream() { return stream; }

    /** {@code hipSetDevice} on the calling thread, when the device is not already current there. */
    public void makeCurrent() {
        if (closed) throw new IllegalStateException("HIP context of " + device.name() + " used after close");
        Integer cur = CURRENT.get();
        if (cur == null || cur != device.ordinal()) {
            driver.setDevice(device.ordinal());
            CURRENT.set(device.ordinal());
        }
    }

    // ------------------------------------------------------------------ modules

    /** How many distinct modules this context has loaded (the cache's size). */
    public int moduleCount() { return modules.size(); }

    /** The hiprtc options {@link #module} compiles with: {@code --offload-arch=} when {@code -Dxlstm.hip.arch} is set. */
    public static List<String> compileOptions() {
        String arch = System.getProperty(ARCH_PROPERTY);
        return arch == null || arch.isBlank() ? List.of() : List.of("--offload-arch=" + arch.strip());
    }

    /**
     * The module compiled from the HIP C++ {@code source} (named {@code name} in messages) with
     * {@link #compileOptions()} plus {@code extraOptions}; compiled and loaded once per distinct (options, source).
     * A compile error is a {@link HipException} with hiprtc's log.
     */
    public HipModule module(String name, String source, String... extraOptions) {
        List<String> options = new ArrayList<>(compileOptions());
        options.addAll(List.of(extraOptions));
        String key = cacheKey(options, source);
        HipModule m = modules.get(key);
        if (m != null) return m;
        synchronized (modules) {
            m = modules.get(key);
            if (m != null) return m;
            Hiprtc.Compiled c = Hiprtc.get().compile(name, source, options);
            String target = options.stream().filter(o -> o.startsWith("--offload-arch=")).map(o -> o.substring(15))
                    .findFirst().orElse("hiprtc (device default)");
            m = loadImage(name, c.image(), target, key, c.log());
            modules.put(key, m);
            return m;
        }
    }

    /** The cache key of a compile: SHA-256 over the options and the source. */
    public static String cacheKey(List<String> options, String source) {
        return sha256(String.join("\u0001", options) + "\u0000" + source);
    }

    /** Loads a code object built ahead of time (hipcc/clang {@code --offload-arch}); cached under {@code key}. */
    public HipModule load(String name, byte[] codeObject, String target, String key) {
        return modules.computeIfAbsent(key, k -> loadImage(name, codeObject, target, k, ""));
    }

    private HipModule loadImage(String name, byte[] image, String target, String key, String log) {
        makeCurrent();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment img = a.allocate(image.length + 1L, 16);
            img.copyFrom(MemorySegment.ofArray(image));
            return new HipModule(driver.moduleLoadData(img, name + ", " + target), name, target, key, log == null ? "" : log);
        }
    }

    /** The kernel {@code entry} of {@code module}, looked up once. */
    public HipFunction function(HipModule module, String entry) {
        return functions.computeIfAbsent(module.hash() + "/" + entry, k -> {
            makeCurrent();
            MemorySegment f = driver.moduleGetFunction(module.handle(), entry);
            return new HipFunction(f, entry, driver.functionAttribute(f, HipDriver.HIP_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK));
        });
    }

    // ------------------------------------------------------------------ memory

    /** {@code bytes} bytes of device memory (at least 1), uninitialised. */
    public HipBuffer buffer(long bytes) {
        makeCurrent();
        long size = Math.max(1, bytes);
        return new HipBuffer(this, driver.malloc(size), size);
    }

    void free(long pointer) {
        if (closed) return;
        makeCurrent();
        driver.free(pointer);
    }

    /** Copies {@code src} (native or heap) into the start of {@code dst}, blocking. */
    public void write(HipBuffer dst, MemorySegment src) {
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
    public void read(HipBuffer src, MemorySegment dst) {
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
    public void writeAsync(HipBuffer dst, MemorySegment src) {
        long n = fits(src, dst);
        if (n == 0) return;
        if (!src.isNative()) throw new IllegalArgumentException("an asynchronous copy needs a native segment");
        makeCurrent();
        driver.copyHtoDAsync(dst.pointer(), src, n, stream);
    }

    /** Queues a copy of {@code src} into the native segment {@code dst}, which holds it after a synchronize. */
    public void readAsync(HipBuffer src, MemorySegment dst) {
        long n = fits(dst, src);
        if (n == 0) return;
        if (!dst.isNative()) throw new IllegalArgumentException("an asynchronous copy needs a native segment");
        makeCurrent();
        driver.copyDtoHAsync(dst, src.pointer(), n, stream);
    }

    private static long fits(MemorySegment host, HipBuffer dev) {
        if (host.byteSize() > dev.byteSize()) {
            throw new IllegalArgumentException("a " + host.byteSize() + "-byte segment does not fit " + dev);
        }
        return host.byteSize();
    }

    // ------------------------------------------------------------------ launches, synchronisation, events

    /** Queues {@code f} on the stream with a 1-D grid of {@code grid} blocks of {@code block} threads. */
    public void launch(HipFunction f, long grid, int block, KernelArgs args) {
        if (grid < 1 || grid > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(f.name() + ": grid of " + grid + " blocks (1.." + Integer.MAX_VALUE + ")");
        }
        if (block < 1 || block > f.maxThreadsPerBlock()) {
            throw new IllegalArgumentException(f.name() + ": block of " + block + " threads (1.." + f.maxThreadsPerBlock() + ")");
        }
        makeCurrent();
        try (Arena a = Arena.ofConfined()) {
            driver.launch(f.handle(), (int) grid, block, 0, stream, args.pack(a), f.name());
        }
    }

    /** Waits for the stream's work; a failed launch before it is reported here, naming {@code after}. */
    public void synchronize(String after) {
        makeCurrent();
        driver.streamSynchronize(stream, after);
    }

    /** A timing event for this context's stream. */
    public HipEvent event() {
        makeCurrent();
        return new HipEvent(this, driver.eventCreate());
    }

    /** Unloads the modules and destroys the stream. */
    @Override
    public synchronized void close() {
        if (closed) return;
        makeCurrent();
        driver.streamSynchronize(stream, null);
        for (HipModule m : modules.values()) driver.moduleUnload(m.handle());
        modules.clear();
        functions.clear();
        driver.streamDestroy(stream);
        closed = true;
        CURRENT.remove();
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
