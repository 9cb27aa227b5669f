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
 * An FFM binding of the cuBLAS calls the device-resident models need ({@code libcublas.so}): a handle on a
 * context's stream with its own workspace (so that products can be captured into a CUDA graph),
 * {@code cublasGemmEx} and {@code cublasGemmStridedBatchedEx} with float32 accumulation. Matrices are column-major as cuBLAS sees them; {@link #linear}
 * states the row-major products of the models in those terms. Not thread-safe, like the context.
 */
public final class Cublas implements AutoCloseable {
    /** {@code cudaDataType}: float32, bfloat16. */
    public static final int R_32F = 0, R_16BF = 14;
    static final int OP_N = 0, OP_T = 1;
    static final int COMPUTE_32F = 68, GEMM_DEFAULT = -1;
    /** The workspace given to cuBLAS (its guide recommends 32 MiB on Hopper). */
    static final long WORKSPACE_BYTES = 32L << 20;

    private static volatile Object loaded;

    private final Library lib;
    private final CudaContext ctx;
    private final MemorySegment handle;
    private final CuBuffer workspace;
    private final Arena scalars = Arena.ofShared();
    private final MemorySegment one, zero;
    private boolean closed;

    private record Library(String from, MethodHandle create, MethodHandle destroy, MethodHandle setStream,
            MethodHandle setWorkspace, MethodHandle gemmEx, MethodHandle gemmStridedBatchedEx, MethodHandle statusString,
            MethodHandle version) {}

    private Cublas(Library lib, CudaContext ctx) {
        this.lib = lib;
        this.ctx = ctx;
        ctx.makeCurrent();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            check((int) lib.create.invokeExact(out), "cublasCreate_v2");
            handle = out.get(ADDRESS, 0);
            check((int) lib.setStream.invokeExact(handle, ctx.stream()), "cublasSetStream_v2");
        } catch (Throwable t) {
            throw CudaDriver.rethrow(t);
        }
        workspace = ctx.buffer(WORKSPACE_BYTES);
        try {
            check((int) lib.setWorkspace.invokeExact(handle, MemorySegment.ofAddress(workspace.pointer()),
                    WORKSPACE_BYTES), "cublasSetWorkspace_v2");
        } catch (Throwable t) {
            throw CudaDriver.rethrow(t);
        }
        one = scalars.allocate(JAVA_FLOAT);
        one.set(JAVA_FLOAT, 0, 1f);
        zero = scalars.allocate(JAVA_FLOAT);
        zero.set(JAVA_FLOAT, 0, 0f);
    }

    /**
     * A cuBLAS handle queued on {@code ctx}'s stream; a {@link CudaException} ({@code CUDA: libcublas.so not found
     * (...)}) when the library is missing.
     */
    public static Cublas on(CudaContext ctx) {
        return new Cublas(library(), ctx);
    }

    /** Loads the library once per JVM, or throws the reason it cannot (every time it is asked). */
    static Library library() {
        Object l = loaded;
        if (l == null) {
            synchronized (Cublas.class) {
                l = loaded;
                if (l == null) {
                    try {
                        l = bind(CudaLibraries.cublas());
                    } catch (CudaException e) {
                        l = e;
                    }
                    loaded = l;
                }
            }
        }
        if (l instanceof CudaException e) throw new CudaException(e.getMessage(), e.code());
        return (Library) l;
    }

    private static Library bind(CudaLibraries.Loaded l) {
        SymbolLookup s = l.lookup();
        return new Library(l.from(), fn(s, "cublasCreate_v2", ADDRESS), fn(s, "cublasDestroy_v2", ADDRESS),
                fn(s, "cublasSetStream_v2", ADDRESS, ADDRESS), fn(s, "cublasSetWorkspace_v2", ADDRESS, ADDRESS, JAVA_LONG),
                fn(s, "cublasGemmEx", ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS,
                        JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT,
                        JAVA_INT),
                fn(s, "cublasGemmStridedBatchedEx", ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS,
                        ADDRESS, JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS, JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS,
                        JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT),
                Linker.nativeLinker().downcallHandle(find(s, "cublasGetStatusString"), FunctionDescriptor.of(ADDRESS, JAVA_INT)),
                fn(s, "cublasGetVersion_v2", ADDRESS, ADDRESS));
    }

    /** Where the library was loaded from. */
    public String from() { return lib.from; }

    /** cuBLAS's version number (e.g. 130100). */
    public int version() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_INT);
            check((int) lib.version.invokeExact(handle, out), "cublasGetVersion_v2");
            return out.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw CudaDriver.rethrow(t);
        }
    }

    /**
     * The row-major product of the models' linear layers, queued on the stream: {@code y[t][o] = Σ_i x[t][i]·w[o][i]
     * (+ y[t][o] when accumulate)} for {@code t < tokens}, {@code o < out}, {@code i < in}; {@code w} is (out, in)
     * row-major of {@code wType}, {@code x} (tokens, in) row-major of the same type, {@code y} float32. With
     * {@code featureMajor} y is written (out, tokens) instead: each output feature's values for all tokens together,
     * so that parts of a fused weight land in contiguous blocks. {@code accumulate} adds to y (a residual).
     */
    public void linear(long x, long w, int wType, long y, int tokens, int in, int out, boolean accumulate,
            boolean featureMajor) {
        linear(x, w, wType, y, R_32F, tokens, in, out, accumulate, featureMajor);
    }

    /** As {@link #linear(long, long, int, long, int, int, int, boolean, boolean)} with y of {@code yType}. */
    public void linear(long x, long w, int wType, long y, int yType, int tokens, int in, int out, boolean accumulate,
            boolean featureMajor) {
        if (featureMajor) {
            // (out, tokens) row-major = column-major tokens x out: C = X · Wᵀ; x's storage is column-major in x
            // tokens (so op T gives X) and w's is column-major in x out, which is Wᵀ already (op N)
            gemm(OP_T, OP_N, tokens, out, in, x, wType, in, w, wType, in, y, yType, tokens, accumulate);
        } else {
            // (tokens, out) row-major = column-major out x tokens: C = W · Xᵀ; w's storage is column-major in x out
            // (op T gives W), x's is column-major in x tokens = Xᵀ (op N)
            gemm(OP_T, OP_N, out, tokens, in, w, wType, in, x, wType, in, y, yType, out, accumulate);
        }
    }

    /**
     * As {@link #linear} for an input stored feature-major, (in, tokens): the down projection reads the FFN's
     * activation in that layout; y is (tokens, out) row-major.
     */
    public void linearFromFeatureMajor(long xFeatureMajor, long w, int wType, long y, int tokens, int in, int out,
            boolean accumulate) {
        // C (out x tokens, column-major) = W (out x in) · A, A (in x tokens) = the column-major view of x's storage
        // transposed: x stored (in, tokens) row-major is column-major tokens x in, so op T gives in x tokens
        gemm(OP_T, OP_T, out, tokens, in, w, wType, in, xFeatureMajor, wType, tokens, y, R_32F, out, accumulate);
    }

    /**
     * {@code heads} products sharing x: for h < heads, {@code y_h (tokens, outPerHead)} row-major at {@code y +
     * 4 h yHeadStride} bytes = x (tokens, in) · W_hᵀ, W_h the h-th block of {@code outPerHead} rows of w (out, in)
     * row-major of {@code wType}, x of the same type, y float32. One strided-batched call: a fused projection's
     * heads land straight in a (heads, tokens, outPerHead) layout, e.g. an mLSTM cell's queries.
     */
    public void linearHeads(long x, long w, int wType, long y, int tokens, int in, int outPerHead, int heads,
            long yHeadStride) {
        if (closed) throw new IllegalStateException("cuBLAS handle used after close");
        ctx.makeCurrent();
        // C_h (outPerHead x tokens, column-major) = W_h · Xᵀ: W's storage is column-major in x out (op T gives W_h),
        // x's is column-major in x tokens = Xᵀ (op N); C_h column-major with ldc = outPerHead is y_h row-major
        try {
            check((int) lib.gemmStridedBatchedEx.invokeExact(handle, OP_T, OP_N, outPerHead, tokens, in, one,
                    MemorySegment.ofAddress(w), wType, in, (long) outPerHead * in, MemorySegment.ofAddress(x), wType, in,
                    0L, zero, MemorySegment.ofAddress(y), R_32F, outPerHead, yHeadStride, heads, COMPUTE_32F,
                    GEMM_DEFAULT),
                    "cublasGemmStridedBatchedEx(m " + outPerHead + ", n " + tokens + ", k " + in + ", batch " + heads + ")");
        } catch (Throwable t) {
            throw CudaDriver.rethrow(t);
        }
    }

    private void gemm(int opA, int opB, int m, int n, int k, long a, int aType, int lda, long b, int bType, int ldb,
            long c, int cType, int ldc, boolean accumulate) {
        if (closed) throw new IllegalStateException("cuBLAS handle used after close");
        ctx.makeCurrent();
        MemorySegment beta = accumulate ? one : zero; // a local: invokeExact would see a conditional as Object
        try {
            check((int) lib.gemmEx.invokeExact(handle, opA, opB, m, n, k, one, MemorySegment.ofAddress(a), aType, lda,
                    MemorySegment.ofAddress(b), bType, ldb, beta, MemorySegment.ofAddress(c), cType,
                    ldc, COMPUTE_32F, GEMM_DEFAULT),
                    "cublasGemmEx(m " + m + ", n " + n + ", k " + k + ", A type " + aType + ")");
        } catch (Throwable t) {
            throw CudaDriver.rethrow(t);
        }
    }

    private void check(int status, String call) {
        if (status == 0) return;
        String text;
        try {
            MemorySegment s = (MemorySegment) lib.statusString.invokeExact(status);
            text = s.equals(MemorySegment.NULL) ? "status " + status : s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            text = "status " + status;
        }
        throw new CudaException("cuBLAS: " + call + " failed: " + text + " (" + status + ")", status);
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        ctx.makeCurrent();
        try {
            check((int) lib.destroy.invokeExact(handle), "cublasDestroy_v2");
        } catch (Throwable t) {
            throw CudaDriver.rethrow(t);
        } finally {
            workspace.close();
            scalars.close();
        }
    }

    private static MemorySegment find(SymbolLookup lib, String name) {
        return lib.find(name).orElseThrow(() -> new CudaException("CUDA: cuBLAS has no " + name
                + " (cuBLAS 12 or newer is needed)"));
    }

    private static MethodHandle fn(SymbolLookup lib, String name, java.lang.foreign.MemoryLayout... args) {
        return Linker.nativeLinker().downcallHandle(find(lib, name), FunctionDescriptor.of(JAVA_INT, args));
    }
}
