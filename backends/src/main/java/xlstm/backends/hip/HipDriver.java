package xlstm.backends.hip;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * An FFM binding of the HIP runtime API ({@code libamdhip64.so}), the same calls as
 * {@code xlstm.backends.cuda.CudaDriver}: {@code hipInit}, versions, {@code hipGetDeviceCount},
 * {@code hipDeviceGetName}, {@code hipDeviceGetAttribute}, {@code hipDeviceTotalMem}, {@code hipSetDevice},
 * {@code hipDeviceSynchronize}, {@code hipModuleLoadData}/{@code Unload}, {@code hipModuleGetFunction},
 * {@code hipFuncGetAttribute}, {@code hipMalloc}/{@code hipFree}, {@code hipMemcpyHtoD}/{@code DtoH} and their
 * {@code Async} forms, streams, {@code hipModuleLaunchKernel}, events with {@code hipEventElapsedTime},
 * {@code hipGetErrorName/String}. Each method checks the {@code hipError_t} and throws a {@link HipException} naming
 * the call and the error.
 *
 * <p>Handles ({@code hipModule_t}, {@code hipFunction_t}, {@code hipStream_t}, {@code hipEvent_t}) are
 * {@link MemorySegment} addresses, device pointers {@code long}s, devices {@code int} ordinals. The calls act on the
 * calling thread's current device ({@link #setDevice}). UNTESTED on an AMD GPU: only the paths without a device
 * (library missing, no device) have run.
 */
public final class HipDriver {
    public static final int HIP_SUCCESS = 0;
    public static final int HIP_ERROR_NO_DEVICE = 100;
    public static final int HIP_ERROR_INVALID_DEVICE = 101;
    public static final int HIP_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK = 0;
    public static final int HIP_STREAM_NON_BLOCKING = 1;

    private static volatile Object loaded;

    private final String from;
    private final SymbolLookup lookup;
    private final MethodHandle hipInit, hipDriverGetVersion, hipRuntimeGetVersion, hipGetDeviceCount, hipDeviceGetName,
            hipDeviceGetAttribute, hipDeviceTotalMem, hipSetDevice, hipDeviceSynchronize, hipModuleLoadData,
            hipModuleUnload, hipModuleGetFunction, hipFuncGetAttribute, hipMalloc, hipFree, hipMemcpyHtoD,
            hipMemcpyDtoH, hipMemcpyHtoDAsync, hipMemcpyDtoHAsync, hipStreamCreateWithFlags, hipStreamDestroy,
            hipStreamSynchronize, hipEventCreate, hipEventRecord, hipEventSynchronize, hipEventElapsedTime,
            hipEventDestroy, hipModuleLaunchKernel, hipGetErrorName, hipGetErrorString;

    private HipDriver(HipLibraries.Loaded lib) {
        this.from = lib.from();
        SymbolLookup l = lib.lookup();
        this.lookup = l;
        hipInit = fn(l, "hipInit", JAVA_INT);
        hipDriverGetVersion = fn(l, "hipDriverGetVersion", ADDRESS);
        hipRuntimeGetVersion = fn(l, "hipRuntimeGetVersion", ADDRESS);
        hipGetDeviceCount = fn(l, "hipGetDeviceCount", ADDRESS);
        hipDeviceGetName = fn(l, "hipDeviceGetName", ADDRESS, JAVA_INT, JAVA_INT);
        hipDeviceGetAttribute = fn(l, "hipDeviceGetAttribute", ADDRESS, JAVA_INT, JAVA_INT);
        hipDeviceTotalMem = fn(l, "hipDeviceTotalMem", ADDRESS, JAVA_INT);
        hipSetDevice = fn(l, "hipSetDevice", JAVA_INT);
        hipDeviceSynchronize = fn(l, "hipDeviceSynchronize");
        hipModuleLoadData = fn(l, "hipModuleLoadData", ADDRESS, ADDRESS);
        hipModuleUnload = fn(l, "hipModuleUnload", ADDRESS);
        hipModuleGetFunction = fn(l, "hipModuleGetFunction", ADDRESS, ADDRESS, ADDRESS);
        hipFuncGetAttribute = fn(l, "hipFuncGetAttribute", ADDRESS, JAVA_INT, ADDRESS);
        hipMalloc = fn(l, "hipMalloc", ADDRESS, JAVA_LONG);
        hipFree = fn(l, "hipFree", ADDRESS);
        hipMemcpyHtoD = fn(l, "hipMemcpyHtoD", ADDRESS, ADDRESS, JAVA_LONG);
        hipMemcpyDtoH = fn(l, "hipMemcpyDtoH", ADDRESS, ADDRESS, JAVA_LONG);
        hipMemcpyHtoDAsync = fn(l, "hipMemcpyHtoDAsync", ADDRESS, ADDRESS, JAVA_LONG, ADDRESS);
        hipMemcpyDtoHAsync = fn(l, "hipMemcpyDtoHAsync", ADDRESS, ADDRESS, JAVA_LONG, ADDRESS);
        hipStreamCreateWithFlags = fn(l, "hipStreamCreateWithFlags", ADDRESS, JAVA_INT);
        hipStreamDestroy = fn(l, "hipStreamDestroy", ADDRESS);
        hipStreamSynchronize = fn(l, "hipStreamSynchronize", ADDRESS);
        hipEventCreate = fn(l, "hipEventCreate", ADDRESS);
        hipEventRecord = fn(l, "hipEventRecord", ADDRESS, ADDRESS);
        hipEventSynchronize = fn(l, "hipEventSynchronize", ADDRESS);
        hipEventElapsedTime = fn(l, "hipEventElapsedTime", ADDRESS, ADDRESS, ADDRESS);
        hipEventDestroy = fn(l, "hipEventDestroy", ADDRESS);
        hipModuleLaunchKernel = fn(l, "hipModuleLaunchKernel", ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
        hipGetErrorName = text(l, "hipGetErrorName");
        hipGetErrorString = text(l, "hipGetErrorString");
    }

    /**
     * The runtime library, loaded once per JVM (not yet initialised: {@link #init()}); a {@link HipException}
     * ({@code HIP: no AMD GPU/runtime: libamdhip64.so not found (...)}) when it is missing, every time it is asked for.
     */
    public static HipDriver get() {
        Object l = loaded;
        if (l == null) {
            synchronized (HipDriver.class) {
                l = loaded;
                if (l == null) {
                    l = loadOrError();
                    loaded = l;
                }
            }
        }
        if (l instanceof HipException e) throw new HipException(e.getMessage(), e.code());
        return (HipDriver) l;
    }

    /** Loads the library now (no cache): the driver, or the {@link HipException} saying why not. */
    static Object loadOrError() {
        try {
            return new HipDriver(HipLibraries.amdhip());
        } catch (HipException e) {
            return e;
        }
    }

    /** Where the library was loaded from: a path, or the name the dynamic linker resolved. */
    public String from() { return from; }

    /** The runtime library's symbols (hiprtc lives there before ROCm 6). */
    SymbolLookup lookup() { return lookup; }

    // ------------------------------------------------------------------ errors

    /** Throws a {@link HipException} when {@code rc} is not {@code hipSuccess}. */
    public void check(int rc, String call) {
        if (rc != HIP_SUCCESS) throw new HipException("HIP: " + call + " failed: " + describe(rc), rc);
    }

    /** {@code hipErrorOutOfMemory (2): out of memory}. */
    public String describe(int rc) {
        String name = errorText(hipGetErrorName, rc), text = errorText(hipGetErrorString, rc);
        if (text != null && text.equals(name)) text = null;
        return (name == null ? "hipError_t" : name) + " (" + rc + ")" + (text == null ? "" : ": " + text);
    }

    private static String errorText(MethodHandle h, int rc) {
        try {
            MemorySegment s = (MemorySegment) h.invokeExact(rc);
            return s.equals(MemorySegment.NULL) ? null : s.reinterpret(4096).getString(0);
        } catch (Throwable t) {
            return null;
        }
    }

    // ------------------------------------------------------------------ initialisation and devices

    /** {@code hipInit(0)}; the raw {@code hipError_t} (100 = {@code hipErrorNoDevice}). */
    public int init() {
        try {
            return (int) hipInit.invokeExact(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code hipRuntimeGetVersion}: HIP_VERSION = major * 10^7 + minor * 10^5 + patch. */
    public int runtimeVersion() {
        return intOut(hipRuntimeGetVersion, "hipRuntimeGetVersion");
    }

    /** {@code hipDriverGetVersion}. */
    public int driverVersion() {
        return intOut(hipDriverGetVersion, "hipDriverGetVersion");
    }

    /** {@code hipGetDeviceCount}: the raw result and the count, as {rc, count}. */
    public int[] deviceCount() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_INT);
            int rc = (int) hipGetDeviceCount.invokeExact(out);
            return new int[] {rc, rc == HIP_SUCCESS ? out.get(JAVA_INT, 0) : 0};
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public String deviceName(int device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(256);
            check((int) hipDeviceGetName.invokeExact(buf, 256, device), "hipDeviceGetName(" + device + ")");
            return buf.getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code hipDeviceGetAttribute} ({@code hipDeviceAttribute_t}: the numbering differs between ROCm versions). */
    public int attribute(int device, int attribute) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_INT);
            check((int) hipDeviceGetAttribute.invokeExact(out, attribute, device), "hipDeviceGetAttribute(" + attribute + ")");
            return out.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public long totalMemory(int device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_LONG);
            check((int) hipDeviceTotalMem.invokeExact(out, device), "hipDeviceTotalMem");
            return out.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code hipSetDevice}: the calling thread's current device. */
    public void setDevice(int device) {
        try {
            check((int) hipSetDevice.invokeExact(device), "hipSetDevice(" + device + ")");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code hipDeviceSynchronize}: waits for all work of the current device; reports an earlier launch's error. */
    public void synchronize() {
        try {
            check((int) hipDeviceSynchronize.invokeExact(), "hipDeviceSynchronize");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ------------------------------------------------------------------ modules and functions

    /** {@code hipModuleLoadData}: a module from a code object (hiprtc's output, or one built by hipcc/clang). */
    public MemorySegment moduleLoadData(MemorySegment image, String what) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            check((int) hipModuleLoadData.invokeExact(out, image), "hipModuleLoadData(" + what + ")");
            return out.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public void moduleUnload(MemorySegment module) {
        try {
            check((int) hipModuleUnload.invokeExact(module), "hipModuleUnload");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code hipModuleGetFunction}: the {@code extern "C"} kernel {@code name} of {@code module}. */
    public MemorySegment moduleGetFunction(MemorySegment module, String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            check((int) hipModuleGetFunction.invokeExact(out, module, a.allocateFrom(name)),
                    "hipModuleGetFunction(" + name + ")");
            return out.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code hipFuncGetAttribute} ({@code HIP_FUNC_ATTRIBUTE_...}, numbered as CUDA's). */
    public int functionAttribute(MemorySegment function, int attribute) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_INT);
            check((int) hipFuncGetAttribute.invokeExact(out, attribute, function), "hipFuncGetAttribute(" + attribute + ")");
            return out.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ------------------------------------------------------------------ memory

    /** {@code hipMalloc}: a device pointer to {@code bytes} bytes. */
    public long malloc(long bytes) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            check((int) hipMalloc.invokeExact(out, bytes), "hipMalloc(" + bytes + " bytes)");
            return out.get(ADDRESS, 0).address();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public void free(long devicePointer) {
        try {
            check((int) hipFree.invokeExact(MemorySegment.ofAddress(devicePointer)), "hipFree");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code hipMemcpyHtoD}: {@code bytes} bytes from the native segment {@code src} to {@code dst}. */
    public void copyHtoD(long dst, MemorySegment src, long bytes) {
        try {
            check((int) hipMemcpyHtoD.invokeExact(MemorySegment.ofAddress(dst), src, bytes),
                    "hipMemcpyHtoD(" + bytes + " bytes)");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code hipMemcpyDtoH}: {@code bytes} bytes from {@code src} to the native segment {@code dst}. */
    public void copyDtoH(MemorySegment dst, long src, long bytes) {
        try {
            check((int) hipMemcpyDtoH.invokeExact(dst, MemorySegment.ofAddress(src), bytes),
                    "hipMemcpyDtoH(" + bytes + " bytes)");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code hipMemcpyHtoDAsync}; {@code src} must stay valid until the stream has done the copy. */
    public void copyHtoDAsync(long dst, MemorySegment src, long bytes, MemorySegment stream) {
        try {
            check((int) hipMemcpyHtoDAsync.invokeExact(MemorySegment.ofAddress(dst), src, bytes, stream),
                    "hipMemcpyHtoDAsync(" + bytes + " bytes)");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code hipMemcpyDtoHAsync}; {@code dst} holds the data once the stream is synchronised. */
    public void copyDtoHAsync(MemorySegment dst, long src, long bytes, MemorySegment stream) {
        try {
            check((int) hipMemcpyDtoHAsync.invokeExact(dst, MemorySegment.ofAddress(src), bytes, stream),
                    "hipMemcpyDtoHAsync(" + bytes + " bytes)");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ------------------------------------------------------------------ streams and events

    public MemorySegment streamCreate(int flags) {
        return handleOut(hipStreamCreateWithFlags, flags, "hipStreamCreateWithFlags");
    }

    public void streamDestroy(MemorySegment stream) {
        call(hipStreamDestroy, stream, "hipStreamDestroy");
    }

    /** {@code hipStreamSynchronize}; reports the error of an earlier launch on the stream. */
    public void streamSynchronize(MemorySegment stream, String after) {
        call(hipStreamSynchronize, stream, "hipStreamSynchronize" + (after == null ? "" : " after " + after));
    }

    public MemorySegment eventCreate() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            check((int) hipEventCreate.invokeExact(out), "hipEventCreate");
            return out.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public void eventRecord(MemorySegment event, MemorySegment stream) {
        try {
            check((int) hipEventRecord.invokeExact(event, stream), "hipEventRecord");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public void eventSynchronize(MemorySegment event) {
        call(hipEventSynchronize, event, "hipEventSynchronize");
    }

    /** {@code hipEventElapsedTime}: milliseconds between two recorded, completed events. */
    public float eventElapsedMillis(MemorySegment start, MemorySegment end) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_FLOAT);
            check((int) hipEventElapsedTime.invokeExact(out, start, end), "hipEventElapsedTime");
            return out.get(JAVA_FLOAT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public void eventDestroy(MemorySegment event) {
        call(hipEventDestroy, event, "hipEventDestroy");
    }

    // ------------------------------------------------------------------ launch

    /**
     * {@code hipModuleLaunchKernel} with a 1-D grid and block; {@code params} is the {@code void*[]} of
     * {@code KernelArgs#pack} (the same layout as CUDA's). Asynchronous: errors may only show at the next
     * synchronisation.
     */
    public void launch(MemorySegment function, int gridX, int blockX, int sharedBytes, MemorySegment stream,
            MemorySegment params, String what) {
        try {
            check((int) hipModuleLaunchKernel.invokeExact(function, gridX, 1, 1, blockX, 1, 1, sharedBytes, stream,
                    params, MemorySegment.NULL), "hipModuleLaunchKernel(" + what + ", grid " + gridX + " x block " + blockX + ")");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ------------------------------------------------------------------ plumbing

    private int intOut(MethodHandle h, String call) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_INT);
            check((int) h.invokeExact(out), call);
            return out.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private MemorySegment handleOut(MethodHandle h, int flags, String call) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            check((int) h.invokeExact(out, flags), call);
            return out.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private void call(MethodHandle h, MemorySegment handle, String call) {
        try {
            check((int) h.invokeExact(handle), call);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static MethodHandle fn(SymbolLookup lib, String name, MemoryLayout... args) {
        MemorySegment sym = lib.find(name).orElseThrow(() -> new HipException("HIP: the runtime library has no "
                + name + " (too old for this build)"));
        return Linker.nativeLinker().downcallHandle(sym, FunctionDescriptor.of(JAVA_INT, args));
    }

    private static MethodHandle text(SymbolLookup lib, String name) {
        MemorySegment sym = lib.find(name).orElseThrow(() -> new HipException("HIP: the runtime library has no " + name));
        return Linker.nativeLinker().downcallHandle(sym, FunctionDescriptor.of(ADDRESS, JAVA_INT));
    }

    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new HipException("HIP: " + t);
    }
}
