package xlstm.backends.metal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * The macOS path of the Metal backend, designed and UNTESTED (no macOS machine here): FFM to the Metal framework
 * ({@code MTLCreateSystemDefaultDevice}) and, through {@link ObjC}, the few Objective-C methods a kernel launch needs:
 * <pre>
 *   device  = MTLCreateSystemDefaultDevice()
 *   library = [device newLibraryWithSource:src options:opts error:&amp;err]   (opts.fastMathEnabled = NO)
 *   fn      = [library newFunctionWithName:@"mlstm_chunkwise"]
 *   pso     = [device newComputePipelineStateWithFunction:fn error:&amp;err]
 *   buf     = [device newBufferWithLength:n options:MTLResourceStorageModeShared]   ([buf contents] is host memory)
 *   queue   = [device newCommandQueue]; cb = [queue commandBuffer]; enc = [cb computeCommandEncoder]
 *   [enc setComputePipelineState:pso]; [enc setBuffer:buf offset:0 atIndex:i]; [enc setBytes:&amp;v length:4 atIndex:i]
 *   [enc dispatchThreadgroups:MTLSize(groups,1,1) threadsPerThreadgroup:MTLSize(L,1,1)]
 *   [enc endEncoding]; [cb commit]; [cb waitUntilCompleted]
 * </pre>
 * Arguments follow docs/glue-contract.md ("C-family kernels": one {@code [[buffer(i)]]} per Java argument, ints and
 * floats by {@code setBytes}, then the scratch buffer); launch geometry from {@code xlstm/generated/metal/index.tsv}.
 * The launcher on top of it, for every generated kernel, is {@code xlstm.runtime.backend.MetalKernels}.
 */
public final class MetalDevice {
    private static final java.lang.foreign.AddressLayout ID = ObjC.ID;
    private static final long STORAGE_SHARED = 0;

    private final MemorySegment device;
    private final MemorySegment queue;

    private MetalDevice(MemorySegment device) {
        this.device = device;
        this.queue = ObjC.id(device, "newCommandQueue");
    }

    /** The system's default Metal device; throws when there is none. */
    public static MetalDevice systemDefault() {
        MethodHandle create = Linker.nativeLinker().downcallHandle(
                ObjC.framework("Metal").find("MTLCreateSystemDefaultDevice").orElseThrow(), FunctionDescriptor.of(ID));
        MemorySegment d;
        try {
            d = (MemorySegment) create.invokeExact();
        } catch (Throwable t) {
            throw new IllegalStateException("MTLCreateSystemDefaultDevice", t);
        }
        if (d.equals(MemorySegment.NULL)) throw new IllegalStateException("Metal: no device (MTLCreateSystemDefaultDevice returned nil)");
        return new MetalDevice(d);
    }

    public String name() { return ObjC.string(ObjC.id(device, "name")); }

    /** A compute pipeline for {@code entry} of the MSL {@code source}; a compile error carries Metal's message. */
    public MemorySegment pipeline(String source, String entry) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment err = a.allocate(ID);
            MemorySegment opts = ObjC.id(ObjC.id(ObjC.cls("MTLCompileOptions"), "alloc"), "init");
            ObjC.send(null, opts, "setFastMathEnabled:", new MemoryLayout[] {ValueLayout.JAVA_BOOLEAN}, false);
            MemorySegment lib = (MemorySegment) ObjC.send(ID, device, "newLibraryWithSource:options:error:",
                    new MemoryLayout[] {ID, ID, ID}, ObjC.nsString(source, a), opts, err);
            if (lib.equals(MemorySegment.NULL)) throw new IllegalStateException("Metal: compiling " + entry + " failed: " + error(err));
            MemorySegment fn = (MemorySegment) ObjC.send(ID, lib, "newFunctionWithName:", new MemoryLayout[] {ID},
                    ObjC.nsString(entry, a));
            if (fn.equals(MemorySegment.NULL)) throw new IllegalStateException("Metal: no function " + entry);
            MemorySegment pso = (MemorySegment) ObjC.send(ID, device, "newComputePipelineStateWithFunction:error:",
                    new MemoryLayout[] {ID, ID}, fn, err);
            if (pso.equals(MemorySegment.NULL)) throw new IllegalStateException("Metal: pipeline " + entry + " failed: " + error(err));
            return pso;
        }
    }

    /** The pipeline's {@code maxTotalThreadsPerThreadgroup}. */
    public long maxThreads(MemorySegment pipeline) {
        return (long) ObjC.send(ObjC.NSUINT, pipeline, "maxTotalThreadsPerThreadgroup", new MemoryLayout[0]);
    }

    /** A shared-storage buffer of {@code bytes}; {@link #contents} is its host view. */
    public MemorySegment buffer(long bytes) {
        return (MemorySegment) ObjC.send(ID, device, "newBufferWithLength:options:",
                new MemoryLayout[] {ObjC.NSUINT, ObjC.NSUINT}, Math.max(4, bytes), STORAGE_SHARED);
    }

    public static MemorySegment contents(MemorySegment buffer, long bytes) {
        return ObjC.id(buffer, "contents").reinterpret(bytes);
    }

    /**
     * One dispatch: {@code args} are buffers (MemorySegment ids from {@link #buffer}), {@code Integer} or
     * {@code Float} (bound with setBytes), at indices 0..n-1; waits for completion.
     */
    public void dispatch(MemorySegment pipeline, List<Object> args, long groups, long threadsPerGroup) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment cb = ObjC.id(queue, "commandBuffer");
            MemorySegment enc = ObjC.id(cb, "computeCommandEncoder");
            ObjC.send(null, enc, "setComputePipelineState:", new MemoryLayout[] {ID}, pipeline);
            for (int i = 0; i < args.size(); i++) {
                Object v = args.get(i);
                if (v instanceof MemorySegment buf) {
                    ObjC.send(null, enc, "setBuffer:offset:atIndex:", new MemoryLayout[] {ID, ObjC.NSUINT, ObjC.NSUINT},
                            buf, 0L, (long) i);
                } else {
                    MemorySegment bytes = v instanceof Float f ? a.allocateFrom(ValueLayout.JAVA_FLOAT, f)
                            : a.allocateFrom(ValueLayout.JAVA_INT, (Integer) v);
                    ObjC.send(null, enc, "setBytes:length:atIndex:", new MemoryLayout[] {ID, ObjC.NSUINT, ObjC.NSUINT},
                            bytes, 4L, (long) i);
                }
            }
            MemorySegment grid = a.allocate(ObjC.MTL_SIZE), tg = a.allocate(ObjC.MTL_SIZE);
            grid.setAtIndex(ObjC.NSUINT, 0, groups); grid.setAtIndex(ObjC.NSUINT, 1, 1); grid.setAtIndex(ObjC.NSUINT, 2, 1);
            tg.setAtIndex(ObjC.NSUINT, 0, threadsPerGroup); tg.setAtIndex(ObjC.NSUINT, 1, 1); tg.setAtIndex(ObjC.NSUINT, 2, 1);
            ObjC.send(null, enc, "dispatchThreadgroups:threadsPerThreadgroup:",
                    new MemoryLayout[] {ObjC.MTL_SIZE, ObjC.MTL_SIZE}, grid, tg);
            ObjC.send(null, enc, "endEncoding", new MemoryLayout[0]);
            ObjC.send(null, cb, "commit", new MemoryLayout[0]);
            ObjC.send(null, cb, "waitUntilCompleted", new MemoryLayout[0]);
        }
    }

    private static String error(MemorySegment errOut) {
        MemorySegment e = errOut.get(ID, 0);
        return e.equals(MemorySegment.NULL) ? "(no error object)" : ObjC.string(ObjC.id(e, "localizedDescription"));
    }
}
