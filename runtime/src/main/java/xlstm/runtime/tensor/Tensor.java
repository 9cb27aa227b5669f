package xlstm.runtime.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import xlstm.backends.DType;

/**
 * An n-dimensional, row-major, contiguous tensor stored off-heap in a {@link MemorySegment}. Storage is
 * float32, bf16 or integer; compute kernels read float32 (bf16 weights are widened on the fly or converted
 * once). Views ({@link #reshape}, {@link #slice0}) share memory with their parent.
 */
public final class Tensor {
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED;
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED;
    static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED;

    private final MemorySegment data;
    private final DType dtype;
    private final long[] shape;
    private final long numel;

    private Tensor(MemorySegment data, DType dtype, long[] shape) {
        this.shape = shape.clone();
        this.dtype = dtype;
        this.numel = count(shape);
        if (data.byteSize() != numel * dtype.byteSize()) {
            throw new IllegalArgumentException("segment of " + data.byteSize() + " bytes does not hold "
                    + Arrays.toString(shape) + " " + dtype);
        }
        this.data = data;
    }

    public static long count(long... shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** A new zero-filled tensor; memory is freed by the garbage collector (automatic arena). */
    public static Tensor zeros(DType dtype, long... shape) {
        long bytes = count(shape) * dtype.byteSize();
        MemorySegment seg = Arena.ofAuto().allocate(Math.max(bytes, 1), 64).asSlice(0, bytes);
        return new Tensor(seg, dtype, shape);
    }

    public static Tensor zeros(long... shape) { return zeros(DType.F32, shape); }

    /**
     * A new tensor whose contents are undefined (as {@code torch.empty}), for an output that is written in full
     * before it is read: it skips the zero fill of {@link #zeros}, which runs on one thread.
     */
    public static Tensor empty(DType dtype, long... shape) {
        long bytes = count(shape) * dtype.byteSize();
        return new Tensor(UnzeroedMemory.allocate(bytes), dtype, shape);
    }

    /** Wraps existing memory (e.g. an mmap'd safetensors range) without copying. */
    public static Tensor wrap(MemorySegment data, DType dtype, long... shape) {
        return new Tensor(data, dtype, shape);
    }

    /** A float32 tensor holding a copy of {@code values}. */
    public static Tensor of(float[] values, long... shape) {
        if (count(shape) != values.length) {
            throw new IllegalArgumentException(values.length + " values do not fill " + Arrays.toString(shape));
        }
        Tensor t = zeros(DType.F32, shape);
        MemorySegment.copy(values, 0, t.data, F32, 0, values.length);
        return t;
    }

    /** An int64 tensor holding a copy of {@code values}. */
    public static Tensor ofLongs(long[] values, long... shape) {
        if (count(shape) != values.length) {
            throw new IllegalArgumentException(values.length + " values do not fill " + Arrays.toString(shape));
        }
        Tensor t = zeros(DType.I64, shape);
        MemorySegment.copy(values, 0, t.data, I64, 0, values.length);
        return t;
    }

    public MemorySegment data() { return data; }

    public DType dtype() { return dtype; }

    public long[] shape() { return shape.clone(); }

    public int rank() { return shape.length; }

    /** Size of dimension i; negative i counts from the end. */
    public long dim(int i) { return shape[i < 0 ? shape.length + i : i]; }

    public long numel() { return numel; }

    /** Element at a flat (row-major) index, widened to float. */
    public float getFloat(long i) {
        return switch (dtype) {
            case F32 -> data.getAtIndex(F32, i);
            case BF16 -> DType.fromBf16(data.getAtIndex(I16, i));
            case F16 -> Float.float16ToFloat(data.getAtIndex(I16, i));
            case F64 -> (float) data.getAtIndex(F64, i);
            case I64 -> data.getAtIndex(I64, i);
            case I32 -> data.getAtIndex(I32, i);
        };
    }

    /** Stores a float at a flat index, rounding to the storage type. */
    public void setFloat(long i, float v) {
        switch (dtype) {
            case F32 -> data.setAtIndex(F32, i, v);
            case BF16 -> data.setAtIndex(I16, i, DType.toBf16(v));
            case F16 -> data.setAtIndex(I16, i, Float.floatToFloat16(v));
            case F64 -> data.setAtIndex(F64, i, v);
            case I64 -> data.setAtIndex(I64, i, (long) v);
            case I32 -> data.setAtIndex(I32, i, (int) v);
        }
    }

    /** Integer element at a flat index (token ids). */
    public long getLong(long i) {
        return switch (dtype) {
            case I64 -> data.getAtIndex(I64, i);
            case I32 -> data.getAtIndex(I32, i);
            default -> (long) getFloat(i);
        };
    }

    /** A float32 copy (or this tensor when it already is float32). */
    public Tensor toF32() {
        if (dtype == DType.F32) return this;
        Tensor out = zeros(DType.F32, shape);
        if (dtype == DType.BF16) {
            xlstm.backends.cpu.CpuConvert.bf16ToF32(data, 0, out.data, 0, numel);
            return out;
        }
        for (long i = 0; i < numel; i++) out.data.setAtIndex(F32, i, getFloat(i));
        return out;
    }

    /** A copy converted to {@code target} (rounding to nearest even for bf16). */
    public Tensor to(DType target) {
        if (target == dtype) return copy();
        Tensor out = zeros(target, shape);
        if (dtype == DType.F32 && target == DType.BF16) {
            xlstm.backends.cpu.CpuConvert.f32ToBf16(data, 0, out.data, 0, numel);
            return out;
        }
        if (dtype == DType.BF16 && target == DType.F32) {
            xlstm.backends.cpu.CpuConvert.bf16ToF32(data, 0, out.data, 0, numel);
            return out;
        }
        for (long i = 0; i < numel; i++) out.setFloat(i, getFloat(i));
        return out;
    }

    public Tensor copy() {
        Tensor out = zeros(dtype, shape);
        MemorySegment.copy(data, 0, out.data, 0, data.byteSize());
        return out;
    }

    /** All elements widened to a float array (tests and small tensors). */
    public float[] toFloatArray() {
        if (numel > Integer.MAX_VALUE) throw new IllegalStateException("tensor too large for an array");
        float[] out = new float[(int) numel];
        if (dtype == DType.F32) {
            MemorySegment.copy(data, F32, 0, out, 0, out.length);
        } else {
            for (int i = 0; i < out.length; i++) out[i] = getFloat(i);
        }
        return out;
    }

    public long[] toLongArray() {
        long[] out = new long[Math.toIntExact(numel)];
        for (int i = 0; i < out.length; i++) out[i] = getLong(i);
        return out;
    }

    /** A view with another shape of the same element count; one dimension may be -1. */
    public Tensor reshape(long... newShape) {
        long[] s = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) infer = i; else known *= s[i];
        }
        if (infer >= 0) s[infer] = numel / Math.max(known, 1);
        if (count(s) != numel) {
            throw new IllegalArgumentException("cannot reshape " + Arrays.toString(shape) + " to " + Arrays.toString(newShape));
        }
        return new Tensor(data, dtype, s);
    }

    /** A view of index {@code i} along the first dimension. */
    public Tensor slice0(long i) {
        long[] sub = Arrays.copyOfRange(shape, 1, shape.length);
        long bytes = count(sub) * dtype.byteSize();
        return new Tensor(data.asSlice(i * bytes, bytes), dtype, sub);
    }

    /** A view of rows [from, to) along the first dimension. */
    public Tensor narrow0(long from, long to) {
        long[] sub = shape.clone();
        sub[0] = to - from;
        long rowBytes = count(Arrays.copyOfRange(shape, 1, shape.length)) * dtype.byteSize();
        return new Tensor(data.asSlice(from * rowBytes, (to - from) * rowBytes), dtype, sub);
    }

    public void fill(float v) {
        if (dtype == DType.F32 && v == 0f) { data.fill((byte) 0); return; }
        for (long i = 0; i < numel; i++) setFloat(i, v);
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape) + " " + dtype;
    }
}
