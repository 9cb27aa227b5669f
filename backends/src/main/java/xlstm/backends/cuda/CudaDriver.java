package xlstm.backends.cuda;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * An FFM binding of the CUDA driver API ({@code libcuda.so.1}), the calls the backend needs: initialisation,
 * devices and their attributes, the primary context, modules from PTX/cubin, functions, memory, copies (blocking and
 * on a stream), launches, streams, events, error names. Each method checks the {@code CUresult} and throws a
 * {@link CudaException} naming the call and the error ({@code CUDA: cuMemAlloc_v2(4096 bytes) failed:
 * CUDA_ERROR_OUT_OF_MEMORY (2): out of memory}).
 *
 * <p>Handles ({@code CUcontext}, {@code CUmodule}, {@code CUfunction}, {@code CUstream}, {@code CUevent}) are
 * {@link MemorySegment} addresses, device pointers ({@code CUdeviceptr}) are {@code long}s, devices ({@code
 * CUdevice}) {@code int}s. The driver's calls act on the calling thread's current context: see
 * {@link CudaContext#makeCurrent()}.
 */
public final class CudaDriver {
    public static final int CUDA_SUCCESS = 0;
    public static final int CUDA_ERROR_NO_DEVICE = 100;
    public static final int CUDA_ERROR_UNSUPPORTED_PTX_VERSION = 222;
    public static final int CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK = 1;
    public static final int CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X = 5;
    public static final int CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = 16;
    public static final int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
    public static final int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;
    public static final int CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK = 0;
    public static final int CU_FUNC_ATTRIBUTE_NUM_REGS = 4;
    public static final int CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES = 8;
    public static final int CU_STREAM_NON_BLOCKING = 1;
    public static final int CU_EVENT_DEFAULT = 0;
    static final int CU_JIT_INFO_LOG_BUFFER = 3, CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES = 4;
    static final int CU_JIT_ERROR_LOG_BUFFER = 5, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES = 6;

    private static volatile Object loaded;

    private final String from;
    private final MethodHandle cuInit, cuDriverGetVersion, cuDeviceGetCount, cuDeviceGet, cuDeviceGetName,
            cuDeviceGetAttribute, cuDeviceTotalMem, cuDevicePrimaryCtxRetain, cuDevicePrimaryCtxRelease, cuCtxSetCurrent,
            cuCtxSynchronize, cuMemGetInfo, cuModuleLoadData, cuModuleLoadDataEx, cuModuleUnload, cuModuleGetFunction,
            cuFuncGetAttribute, cuFuncSetAttribute, cuMemAlloc, cuMemFree, cuMemHostAlloc, cuMemFreeHost, cuMemcpyHtoD, cuMemcpyDtoH, cuMemcpyHtoDAsync, cuMemcpyDtoHAsync,
            cuStreamCreate, cuStreamDestroy, cuStreamSynchronize, cuEventCreate, cuEventRecord, cuEventSynchronize,
            cuEventElapsedTime, cuEventDestroy, cuLaunchKernel, cuGetErrorName, cuGetErrorString, cuMemcpyDtoDAsync,
            cuMemsetD32Async, cuStreamBeginCapture, cuStreamEndCapture, cuGraphInstantiate, cuGraphLaunch,
            cuGraphExecDestroy, cuGraphDestroy;
    /** {@code cuLaunchKernelEx} (CUDA 12+), or null when the driver has none. */
    private final MethodHandle cuLaunchKernelEx;
    /** {@code cuOccupancyMaxActiveClusters} (CUDA 12+), or null when the driver has none. */
    private final MethodHandle cuOccupancyMaxActiveClusters;

    private CudaDriver(CudaLibraries.Loaded lib) {
        this.from = lib.from();
        SymbolLookup l = lib.lookup();
        cuInit = fn(l, "cuInit", JAVA_INT);
        cuDriverGetVersion = fn(l, "cuDriverGetVersion", ADDRESS);
        cuDeviceGetCount = fn(l, "cuDeviceGetCount", ADDRESS);
        cuDeviceGet = fn(l, "cuDeviceGet", ADDRESS, JAVA_INT);
        cuDeviceGetName = fn(l, "cuDeviceGetName", ADDRESS, JAVA_INT, JAVA_INT);
        cuDeviceGetAttribute = fn(l, "cuDeviceGetAttribute", ADDRESS, JAVA_INT, JAVA_INT);
        cuDeviceTotalMem = fn(l, "cuDeviceTotalMem_v2", ADDRESS, JAVA_INT);
        cuDevicePrimaryCtxRetain = fn(l, "cuDevicePrimaryCtxRetain", ADDRESS, JAVA_INT);
        cuDevicePrimaryCtxRelease = fn(l, "cuDevicePrimaryCtxRelease_v2", JAVA_INT);
        cuCtxSetCurrent = fn(l, "cuCtxSetCurrent", ADDRESS);
        cuCtxSynchronize = fn(l, "cuCtxSynchronize");
        cuMemGetInfo = fn(l, "cuMemGetInfo_v2", ADDRESS, ADDRESS);
        cuModuleLoadData = fn(l, "cuModuleLoadData", ADDRESS, ADDRESS);
        cuModuleLoadDataEx = fn(l, "cuModuleLoadDataEx", ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
        cuModuleUnload = fn(l, "cuModuleUnload", ADDRESS);
        cuModuleGetFunction = fn(l, "cuModuleGetFunction", ADDRESS, ADDRESS, ADDRESS);
        cuFuncGetAttribute = fn(l, "cuFuncGetAttribute", ADDRESS, JAVA_INT, ADDRESS);
        cuFuncSetAttribute = fn(l, "cuFuncSetAttribute", ADDRESS, JAVA_INT, JAVA_INT);
        cuMemAlloc = fn(l, "cuMemAlloc_v2", ADDRESS, JAVA_LONG);
        cuMemFree = fn(l, "cuMemFree_v2", JAVA_LONG);
        cuMemHostAlloc = fn(l, "cuMemHostAlloc", ADDRESS, JAVA_LONG, JAVA_INT);
        cuMemFreeHost = fn(l, "cuMemFreeHost", ADDRESS);
        cuMemcpyHtoD = fn(l, "cuMemcpyHtoD_v2", JAVA_LONG, ADDRESS, JAVA_LONG);
        cuMemcpyDtoH = fn(l, "cuMemcpyDtoH_v2", ADDRESS, JAVA_LONG, JAVA_LONG);
        cuMemcpyHtoDAsync = fn(l, "cuMemcpyHtoDAsync_v2", JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS);
        cuMemcpyDtoHAsync = fn(l, "cuMemcpyDtoHAsync_v2", ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS);
        cuStreamCreate = fn(l, "cuStreamCreate", ADDRESS, JAVA_INT);
        cuStreamDestroy = fn(l, "cuStreamDestroy_v2", ADDRESS);
        cuStreamSynchronize = fn(l, "cuStreamSynchronize", ADDRESS);
        cuEventCreate = fn(l, "cuEventCreate", ADDRESS, JAVA_INT);
        cuEventRecord = fn(l, "cuEventRecord", ADDRESS, ADDRESS);
        cuEventSynchronize = fn(l, "cuEventSynchronize", ADDRESS);
        // CUDA 12.8+ headers map cuEventElapsedTime to _v2 (same signature); older drivers have only the first
        cuEventElapsedTime = l.find("cuEventElapsedTime_v2").isPresent()
                ? fn(l, "cuEventElapsedTime_v2", ADDRESS, ADDRESS, ADDRESS)
                : fn(l, "cuEventElapsedTime", ADDRESS, ADDRESS, ADDRESS);
        cuEventDestroy = fn(l, "cuEventDestroy_v2", ADDRESS);
        cuLaunchKernel = fn(l, "cuLaunchKernel", ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
        cuLaunchKernelEx = l.find("cuLaunchKernelEx").isPresent()
                ? fn(l, "cuLaunchKernelEx", ADDRESS, ADDRESS, ADDRESS, ADDRESS) : null;
        cuOccupancyMaxActiveClusters = l.find("cuOccupancyMaxActiveClusters").isPresent()
                ? fn(l, "cuOccupancyMaxActiveClusters", ADDRESS, ADDRESS, ADDRESS) : null;
        cuMemcpyDtoDAsync = fn(l, "cuMemcpyDtoDAsync_v2", JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS);
        cuMemsetD32Async = fn(l, "cuMemsetD32Async", JAVA_LONG, JAVA_INT, JAVA_LONG, ADDRESS);
        cuStreamBeginCapture = fn(l, "cuStreamBeginCapture_v2", ADDRESS, JAVA_INT);
        cuStreamEndCapture = fn(l, "cuStreamEndCapture", ADDRESS, ADDRESS);
        cuGraphInstantiate = fn(l, "cuGraphInstantiateWithFlags", ADDRESS, ADDRESS, JAVA_LONG);
        cuGraphLaunch = fn(l, "cuGraphLaunch", ADDRESS, ADDRESS);
        cuGraphExecDestroy = fn(l, "cuGraphExecDestroy", ADDRESS);
        cuGraphDestroy = fn(l, "cuGraphDestroy", ADDRESS);
        cuGetErrorName = fn(l, "cuGetErrorName", JAVA_INT, ADDRESS);
        cuGetErrorString = fn(l, "cuGetErrorString", JAVA_INT, ADDRESS);
    }

    /**
     * The driver library, loaded once per JVM (not yet initialised: {@link #init()}); a {@link CudaException}
     * ({@code CUDA: libcuda.so.1 not found (...)}) when it is missing, every time it is asked for.
     */
    public static CudaDriver get() {
        Object l = loaded;
        if (l == null) {
            synchronized (CudaDriver.class) {
                l = loaded;
                if (l == null) {
                    try {
                        l = new CudaDriver(CudaLibraries.libcuda());
                    } catch (CudaException e) {
                        l = e;
                    }
                    loaded = l;
                }
            }
        }
        if (l instanceof CudaException e) throw new CudaException(e.getMessage(), e.code());
        return (CudaDriver) l;
    }

    /** Where the library was loaded from: a path, or the name the dynamic linker resolved. */
    public String from() { return from; }

    // ------------------------------------------------------------------ errors

    /** Throws a {@link CudaException} when {@code rc} is not {@code CUDA_SUCCESS}. */
    public void check(int rc, String call) {
        if (rc != CUDA_SUCCESS) throw new CudaException("CUDA: " + call + " failed: " + describe(rc), rc);
    }

    /** {@code CUDA_ERROR_OUT_OF_MEMORY (2): out of memory}. */
    public String describe(int rc) {
        String name = errorName(rc), text = errorString(rc);
        return (name == null ? "CUresult" : name) + " (" + rc + ")" + (text == null ? "" : ": " + text);
    }

    /** {@code cuGetErrorName}, or null for a code the driver does not know. */
    public String errorName(int rc) {
        return errorText(cuGetErrorName, rc);
    }

    /** {@code cuGetErrorString}, or null for a code the driver does not know. */
    public String errorString(int rc) {
        return errorText(cuGetErrorString, rc);
    }

    private static String errorText(MethodHandle h, int rc) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            if ((int) h.invokeExact(rc, out) != CUDA_SUCCESS) return null;
            MemorySegment s = out.get(ADDRESS, 0);
            return s.equals(MemorySegment.NULL) ? null : s.reinterpret(4096).getString(0);
        } catch (Throwable t) {
            return null;
        }
    }

    // ------------------------------------------------------------------ initialisation and devices

    /** {@code cuInit(0)}; the raw {@code CUresult} (100 = {@code CUDA_ERROR_NO_DEVICE}). */
    public int init() {
        try {
            return (int) cuInit.invokeExact(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code cuDriverGetVersion}: 1000 * major + 10 * minor (13000 = CUDA 13.0). */
    public int driverVersion() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_INT);
            check((int) cuDriverGetVersion.invokeExact(out), "cuDriverGetVersion");
            return out.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public int deviceCount() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_INT);
            check((int) cuDeviceGetCount.invokeExact(out), "cuDeviceGetCount");
            return out.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code cuDeviceGet}: the {@code CUdevice} of ordinal {@code ordinal}. */
    public int device(int ordinal) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_INT);
            check((int) cuDeviceGet.invokeExact(out, ordinal), "cuDeviceGet(" + ordinal + ")");
            return out.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public String deviceName(int device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(256);
            check((int) cuDeviceGetName.invokeExact(buf, 256, device), "cuDeviceGetName");
            return buf.getString(0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code cuDeviceGetAttribute} ({@code CU_DEVICE_ATTRIBUTE_...}). */
    public int attribute(int device, int attribute) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_INT);
            check((int) cuDeviceGetAttribute.invokeExact(out, attribute, device), "cuDeviceGetAttribute(" + attribute + ")");
            return out.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public long totalMemory(int device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_LONG);
            check((int) cuDeviceTotalMem.invokeExact(out, device), "cuDeviceTotalMem_v2");
            return out.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ------------------------------------------------------------------ contexts

    /** {@code cuDevicePrimaryCtxRetain}: the device's primary context (shared with every other user in the process). */
    public MemorySegment primaryContextRetain(int device) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            check((int) cuDevicePrimaryCtxRetain.invokeExact(out, device), "cuDevicePrimaryCtxRetain");
            return out.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public void primaryContextRelease(int device) {
        try {
            check((int) cuDevicePrimaryCtxRelease.invokeExact(device), "cuDevicePrimaryCtxRelease_v2");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public void setCurrent(MemorySegment context) {
        try {
            check((int) cuCtxSetCurrent.invokeExact(context), "cuCtxSetCurrent");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code cuCtxSynchronize}: waits for all work of the current context; reports an earlier launch's error. */
    public void synchronize() {
        try {
            check((int) cuCtxSynchronize.invokeExact(), "cuCtxSynchronize");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code cuMemGetInfo_v2}: {free, total} bytes of the current context's device. */
    public long[] memoryInfo() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment free = a.allocate(JAVA_LONG), total = a.allocate(JAVA_LONG);
            check((int) cuMemGetInfo.invokeExact(free, total), "cuMemGetInfo_v2");
            return new long[] {free.get(JAVA_LONG, 0), total.get(JAVA_LONG, 0)};
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ------------------------------------------------------------------ modules and functions

    /** {@code cuModuleLoadData}: a module from a NUL-terminated PTX text or a cubin image. */
    public MemorySegment moduleLoadData(MemorySegment image, String what) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            check((int) cuModuleLoadData.invokeExact(out, image), "cuModuleLoadData(" + what + ")");
            return out.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code cuModuleLoadDataEx} with the JIT's error log captured: a PTX the JIT rejects is a {@link CudaException}
     * carrying the log.
     */
    public MemorySegment moduleLoadDataEx(MemorySegment image, String what) {
        int logSize = 16 * 1024;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            MemorySegment log = a.allocate(logSize);
            MemorySegment options = a.allocate(JAVA_INT, 2);
            options.setAtIndex(JAVA_INT, 0, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES);
            options.setAtIndex(JAVA_INT, 1, CU_JIT_ERROR_LOG_BUFFER);
            MemorySegment values = a.allocate(ADDRESS, 2);
            values.setAtIndex(ADDRESS, 0, MemorySegment.ofAddress(logSize));
            values.setAtIndex(ADDRESS, 1, log);
            int rc = (int) cuModuleLoadDataEx.invokeExact(out, image, 2, options, values);
            if (rc != CUDA_SUCCESS) {
                String jit = log.getString(0).strip();
                throw new CudaException("CUDA: cuModuleLoadDataEx(" + what + ") failed: " + describe(rc)
                        + (jit.isEmpty() ? "" : "\n" + jit), rc);
            }
            return out.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public void moduleUnload(MemorySegment module) {
        try {
            check((int) cuModuleUnload.invokeExact(module), "cuModuleUnload");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code cuModuleGetFunction}: the {@code extern "C"} kernel {@code name} of {@code module}. */
    public MemorySegment moduleGetFunction(MemorySegment module, String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            check((int) cuModuleGetFunction.invokeExact(out, module, a.allocateFrom(name)),
                    "cuModuleGetFunction(" + name + ")");
            return out.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code cuFuncGetAttribute} ({@code CU_FUNC_ATTRIBUTE_...}). */
    public int functionAttribute(MemorySegment function, int attribute) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_INT);
            check((int) cuFuncGetAttribute.invokeExact(out, attribute, function), "cuFuncGetAttribute(" + attribute + ")");
            return out.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code cuFuncSetAttribute} ({@code CU_FUNC_ATTRIBUTE_...}), e.g. raising a kernel's dynamic shared memory. */
    public void setFunctionAttribute(MemorySegment function, int attribute, int value) {
        try {
            check((int) cuFuncSetAttribute.invokeExact(function, attribute, value),
                    "cuFuncSetAttribute(" + attribute + ", " + value + ")");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ------------------------------------------------------------------ memory

    /** {@code cuMemAlloc_v2}: a device pointer to {@code bytes} bytes (at least 256-byte aligned). */
    public long memAlloc(long bytes) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_LONG);
            check((int) cuMemAlloc.invokeExact(out, bytes), "cuMemAlloc_v2(" + bytes + " bytes)");
            return out.get(JAVA_LONG, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public void memFree(long devicePointer) {
        try {
            check((int) cuMemFree.invokeExact(devicePointer), "cuMemFree_v2");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * {@code cuMemHostAlloc} (no flags): {@code bytes} bytes of page-locked host memory, which asynchronous copies
     * to and from the device use without the driver's staging (a copy into pageable memory returns only when done).
     */
    public MemorySegment memHostAlloc(long bytes) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            check((int) cuMemHostAlloc.invokeExact(out, bytes, 0), "cuMemHostAlloc(" + bytes + " bytes)");
            return out.get(ADDRESS, 0).reinterpret(bytes);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public void memFreeHost(MemorySegment p) {
        try {
            check((int) cuMemFreeHost.invokeExact(p), "cuMemFreeHost");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code cuMemcpyHtoD_v2}: {@code bytes} bytes from the native segment {@code src} to {@code dst}. */
    public void copyHtoD(long dst, MemorySegment src, long bytes) {
        try {
            check((int) cuMemcpyHtoD.invokeExact(dst, src, bytes), "cuMemcpyHtoD_v2(" + bytes + " bytes)");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code cuMemcpyDtoH_v2}: {@code bytes} bytes from {@code src} to the native segment {@code dst}. */
    public void copyDtoH(MemorySegment dst, long src, long bytes) {
        try {
            check((int) cuMemcpyDtoH.invokeExact(dst, src, bytes), "cuMemcpyDtoH_v2(" + bytes + " bytes)");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code cuMemcpyHtoDAsync_v2}; {@code src} must stay valid until the stream has done the copy. */
    public void copyHtoDAsync(long dst, MemorySegment src, long bytes, MemorySegment stream) {
        try {
            check((int) cuMemcpyHtoDAsync.invokeExact(dst, src, bytes, stream), "cuMemcpyHtoDAsync_v2(" + bytes + " bytes)");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code cuMemcpyDtoHAsync_v2}; {@code dst} holds the data once the stream is synchronised. */
    public void copyDtoHAsync(MemorySegment dst, long src, long bytes, MemorySegment stream) {
        try {
            check((int) cuMemcpyDtoHAsync.invokeExact(dst, src, bytes, stream), "cuMemcpyDtoHAsync_v2(" + bytes + " bytes)");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code cuMemcpyDtoDAsync_v2}: {@code bytes} bytes from device {@code src} to device {@code dst}. */
    public void copyDtoDAsync(long dst, long src, long bytes, MemorySegment stream) {
        try {
            check((int) cuMemcpyDtoDAsync.invokeExact(dst, src, bytes, stream), "cuMemcpyDtoDAsync_v2(" + bytes + " bytes)");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code cuMemsetD32Async}: {@code count} 32-bit words at {@code dst} set to {@code value}. */
    public void memsetD32Async(long dst, int value, long count, MemorySegment stream) {
        try {
            check((int) cuMemsetD32Async.invokeExact(dst, value, count, stream), "cuMemsetD32Async(" + count + " words)");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ------------------------------------------------------------------ graphs (stream capture)

    /** {@code CU_STREAM_CAPTURE_MODE_THREAD_LOCAL}: only this thread's unsafe calls break the capture. */
    public static final int CU_STREAM_CAPTURE_MODE_THREAD_LOCAL = 1;

    /** {@code cuStreamBeginCapture_v2}: work queued on {@code stream} is recorded into a graph, not run. */
    public void streamBeginCapture(MemorySegment stream, int mode) {
        try {
            check((int) cuStreamBeginCapture.invokeExact(stream, mode), "cuStreamBeginCapture_v2");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code cuStreamEndCapture}: the {@code CUgraph} recorded since the capture began. */
    public MemorySegment streamEndCapture(MemorySegment stream) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            check((int) cuStreamEndCapture.invokeExact(stream, out), "cuStreamEndCapture");
            return out.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code cuGraphInstantiateWithFlags(graph, 0)}: an executable graph ({@code CUgraphExec}). */
    public MemorySegment graphInstantiate(MemorySegment graph) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            check((int) cuGraphInstantiate.invokeExact(out, graph, 0L), "cuGraphInstantiateWithFlags");
            return out.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public void graphLaunch(MemorySegment exec, MemorySegment stream) {
        try {
            check((int) cuGraphLaunch.invokeExact(exec, stream), "cuGraphLaunch");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public void graphExecDestroy(MemorySegment exec) {
        try {
            check((int) cuGraphExecDestroy.invokeExact(exec), "cuGraphExecDestroy");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public void graphDestroy(MemorySegment graph) {
        try {
            check((int) cuGraphDestroy.invokeExact(graph), "cuGraphDestroy");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ------------------------------------------------------------------ streams and events

    public MemorySegment streamCreate(int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            check((int) cuStreamCreate.invokeExact(out, flags), "cuStreamCreate");
            return out.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public void streamDestroy(MemorySegment stream) {
        try {
            check((int) cuStreamDestroy.invokeExact(stream), "cuStreamDestroy_v2");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code cuStreamSynchronize}; reports the error of an earlier launch on the stream. */
    public void streamSynchronize(MemorySegment stream, String after) {
        try {
            check((int) cuStreamSynchronize.invokeExact(stream), "cuStreamSynchronize" + (after == null ? "" : " after " + after));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public MemorySegment eventCreate(int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            check((int) cuEventCreate.invokeExact(out, flags), "cuEventCreate");
            return out.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public void eventRecord(MemorySegment event, MemorySegment stream) {
        try {
            check((int) cuEventRecord.invokeExact(event, stream), "cuEventRecord");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public void eventSynchronize(MemorySegment event) {
        try {
            check((int) cuEventSynchronize.invokeExact(event), "cuEventSynchronize");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code cuEventElapsedTime(_v2)}: milliseconds between two recorded, completed events. */
    public float eventElapsedMillis(MemorySegment start, MemorySegment end) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_FLOAT);
            check((int) cuEventElapsedTime.invokeExact(out, start, end), "cuEventElapsedTime");
            return out.get(JAVA_FLOAT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public void eventDestroy(MemorySegment event) {
        try {
            check((int) cuEventDestroy.invokeExact(event), "cuEventDestroy_v2");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ------------------------------------------------------------------ launch

    /**
     * {@code cuLaunchKernel} with a 1-D grid and block; {@code params} is the {@code void*[]} of
     * {@link KernelArgs#pack}. The launch is asynchronous: its errors may only show at the next synchronisation.
     */
    public void launch(MemorySegment function, int gridX, int blockX, int sharedBytes, MemorySegment stream,
            MemorySegment params, String what) {
        try {
            check((int) cuLaunchKernel.invokeExact(function, gridX, 1, 1, blockX, 1, 1, sharedBytes, stream, params,
                    MemorySegment.NULL), "cuLaunchKernel(" + what + ", grid " + gridX + " x block " + blockX + ")");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code CUlaunchConfig} (cuda.h, 56 bytes) and one {@code CUlaunchAttribute} (72 bytes) after it. */
    private static final long CONFIG_BYTES = 56, ATTRIBUTE_BYTES = 72;
    /** {@code CU_LAUNCH_ATTRIBUTE_PROGRAMMATIC_STREAM_SERIALIZATION}. */
    static final int CU_LAUNCH_ATTRIBUTE_PROGRAMMATIC_STREAM_SERIALIZATION = 6;

    /** Whether {@link #launchDependent} is available (the driver has {@code cuLaunchKernelEx}). */
    public boolean hasDependentLaunch() { return cuLaunchKernelEx != null; }

    /**
     * As {@link #launch}, through {@code cuLaunchKernelEx} with programmatic stream serialisation allowed: the grid may
     * be launched while the previous kernel of the stream still runs (programmatic dependent launch, sm_90). Only for
     * kernels that wait for their predecessor first ({@code griddepcontrol.wait}, which the project's CUDA sources
     * put at the top of every kernel): the overlap then only hides the launch latency.
     */
    public void launchDependent(MemorySegment function, int gridX, int blockX, int sharedBytes, MemorySegment stream,
            MemorySegment params, String what, Arena arena) {
        if (cuLaunchKernelEx == null) throw new CudaException("CUDA: the driver has no cuLaunchKernelEx (dependent launches)");
        MemorySegment config = dependentLaunchConfig(arena, gridX, blockX, sharedBytes, stream);
        try {
            check((int) cuLaunchKernelEx.invokeExact(config, function, params, MemorySegment.NULL),
                    "cuLaunchKernelEx(" + what + ", grid " + gridX + " x block " + blockX + ", dependent)");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * A {@code CUlaunchConfig} for a 1-D launch of {@code gridX} x {@code blockX} with one attribute after it,
     * programmatic stream serialisation allowed. Offsets as cuda.h lays the structs out on 64-bit Linux (checked with
     * {@code offsetof} against CUDA 13.0's header): grid 0, block 12, sharedMemBytes 24, hStream 32, attrs 40, numAttrs
     * 48; the attribute's id at 0 and its value union at 8.
     */
    static MemorySegment dependentLaunchConfig(Arena arena, int gridX, int blockX, int sharedBytes, MemorySegment stream) {
        MemorySegment config = launchConfig(arena, CONFIG_BYTES + ATTRIBUTE_BYTES, gridX, blockX, sharedBytes, stream);
        MemorySegment attribute = config.asSlice(CONFIG_BYTES, ATTRIBUTE_BYTES);
        config.set(ADDRESS, 40, attribute);
        config.set(JAVA_INT, 48, 1);          // numAttrs
        attribute.set(JAVA_INT, 0, CU_LAUNCH_ATTRIBUTE_PROGRAMMATIC_STREAM_SERIALIZATION);
        attribute.set(JAVA_INT, 8, 1);        // value.programmaticStreamSerializationAllowed
        return config;
    }

    /** A {@code CUlaunchConfig} of {@code bytes} (at least CONFIG_BYTES) for a 1-D launch, no attributes. */
    static MemorySegment launchConfig(Arena arena, long bytes, int gridX, int blockX, int sharedBytes, MemorySegment stream) {
        MemorySegment config = arena.allocate(bytes, 8);
        config.set(JAVA_INT, 0, gridX);       // gridDimX, Y, Z
        config.set(JAVA_INT, 4, 1);
        config.set(JAVA_INT, 8, 1);
        config.set(JAVA_INT, 12, blockX);     // blockDimX, Y, Z
        config.set(JAVA_INT, 16, 1);
        config.set(JAVA_INT, 20, 1);
        config.set(JAVA_INT, 24, sharedBytes);
        config.set(ADDRESS, 32, stream);
        config.set(ADDRESS, 40, MemorySegment.NULL); // attrs, numAttrs 0 (allocate zeroes)
        return config;
    }

    /**
     * How many clusters of {@code function} (its cluster size set at compile time, {@code __cluster_dims__}) can be
     * resident at once for a 1-D launch of {@code gridX} x {@code blockX} ({@code cuOccupancyMaxActiveClusters});
     * 0 when none can, or when the driver has no such query.
     */
    public int maxActiveClusters(MemorySegment function, int gridX, int blockX, int sharedBytes) {
        if (cuOccupancyMaxActiveClusters == null) return 0;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment config = launchConfig(arena, CONFIG_BYTES, gridX, blockX, sharedBytes, MemorySegment.NULL);
            MemorySegment count = arena.allocate(JAVA_INT);
            check((int) cuOccupancyMaxActiveClusters.invokeExact(count, function, config),
                    "cuOccupancyMaxActiveClusters(grid " + gridX + " x block " + blockX + ")");
            return count.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // ------------------------------------------------------------------ plumbing

    private static MethodHandle fn(SymbolLookup lib, String name, java.lang.foreign.MemoryLayout... args) {
        MemorySegment sym = lib.find(name).orElseThrow(() -> new CudaException("CUDA: the driver library has no "
                + name + " (the NVIDIA driver is too old for this build)"));
        return Linker.nativeLinker().downcallHandle(sym, FunctionDescriptor.of(JAVA_INT, args));
    }

    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new CudaException("CUDA: " + t);
    }
}
