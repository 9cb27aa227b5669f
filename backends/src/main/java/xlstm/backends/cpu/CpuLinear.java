package xlstm.backends.cpu;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * Dense linear layer {@code y[r, o] = Σ_i x[r, i]·W[o, i] (+ b[o])}: x (rows, in) and y (rows, out) float32
 * row-major, W (out, in) row-major float32 or bf16 (PyTorch's {@code Linear.weight} layout), b float32 or
 * null. One row is a GEMV ({@link CpuGemv}) parallel over output features; a few rows (a decode batch) run a
 * cache-blocked kernel that streams the weights once (tiles of output features × rows, 4 rows × 2 outputs per
 * register block); many rows (a prefill) the packed GEMM {@link CpuGemm}. Offsets are in elements. y must not
 * overlap x.
 */
public final class CpuLinear {
    /** From this many rows on, the packed {@link CpuGemm} (below: weights streamed once, {@link #tile}). */
    static final int GEMM_ROWS = 64;
    /** Rows per register block. */
    static final int RB = 4;
    /** Rows per work tile. */
    static final int ROW_TILE = 64;
    /** Target bytes of weights per work tile (they stay in L2 while the tile's rows stream past). */
    static final int W_TILE_BYTES = 256 * 1024;

    private CpuLinear() {}

    /**
     * {@link #linear} for several layers that read the same x, {@code ys[j] = x · W_jᵀ + b_j} for every part j, each
     * computed as {@link #linear} computes it; from {@link #GEMM_ROWS} rows on as one GEMM pass with x packed once.
     */
    public static void linears(MemorySegment x, long xOff, int rows, int in, FusedLinear.Part[] parts,
                               MemorySegment[] ys) {
        if (parts.length != ys.length) throw new IllegalArgumentException(ys.length + " outputs for " + parts.length + " parts");
        if (rows >= GEMM_ROWS && in > 0 && !KernelMode.scalar()) {
            CpuGemm.gemm(x, xOff, rows, in, parts, ys);
            return;
        }
        for (int j = 0; j < parts.length; j++) {
            FusedLinear.Part p = parts[j];
            linear(x, xOff, rows, in, p.w(), p.wOff(), p.bf16(), p.out(), p.b(), p.bOff(), ys[j], 0);
        }
    }

    public static void linear(MemorySegment x, long xOff, int rows, int in,
                              MemorySegment w, long wOff, boolean wBf16, int out,
                              MemorySegment b, long bOff, MemorySegment y, long yOff) {
        if (rows < 0 || in < 0 || out < 0) throw new IllegalArgumentException("negative size");
        if (rows == 0 || out == 0) return;
        if (KernelMode.scalar()) {
            int grain = (int) Math.max(1, 16384 / Math.max(1L, (long) rows * in));
            CpuParallel.forEach(out, grain,
                    o -> scalarColumn(x, xOff, rows, in, w, wOff, wBf16, out, b, bOff, y, yOff, o));
            return;
        }
        if (rows == 1) {
            int size = CpuGemv.chunkRows(out, in, wBf16 ? 2 : 4);
            GemvTask t = ParallelTask.take(GEMV, GemvTask::new);
            t.x = x; t.xOff = xOff; t.in = in; t.w = w; t.wOff = wOff; t.wBf16 = wBf16; t.b = b; t.bOff = bOff;
            t.y = y; t.yOff = yOff; t.out = out; t.size = size;
            t.forChunks((out + size - 1) / size);
            return;
        }
        if (rows >= GEMM_ROWS) {
            CpuGemm.gemm(x, xOff, rows, in, w, wOff, wBf16, out, b, bOff, y, yOff);
            return;
        }
        int wBytes = wBf16 ? 2 : 4;
        int outTile = (int) Math.max(2, Math.min(256, W_TILE_BYTES / Math.max(1L, (long) in * wBytes)));
        outTile &= ~1;
        int outTiles = (out + outTile - 1) / outTile;
        int rowTiles = (rows + ROW_TILE - 1) / ROW_TILE;
        final int ot = outTile;
        CpuParallel.forEach(outTiles * rowTiles, t -> {
            int o0 = (t / rowTiles) * ot, o1 = Math.min(out, o0 + ot);
            int r0 = (t % rowTiles) * ROW_TILE, r1 = Math.min(rows, r0 + ROW_TILE);
            tile(x, xOff, in, w, wOff, wBf16, out, b, bOff, y, yOff, r0, r1, o0, o1);
        });
    }

    private static void scalarColumn(MemorySegment x, long xOff, int rows, int in, MemorySegment w, long wOff,
                                     boolean wBf16, int out, MemorySegment b, long bOff, MemorySegment y, long yOff,
                                     int o) {
        for (int r = 0; r < rows; r++) {
            float acc = Simd.dotScalar(x, xOff + (long) r * in, w, wOff + (long) o * in, in, wBf16);
            if (b != null) acc += Simd.getF(b, bOff + o);
            Simd.setF(y, yOff + (long) r * out + o, acc);
        }
    }

    static void tile(MemorySegment x, long xOff, int in, MemorySegment w, long wOff, boolean wBf16, int out,
                             MemorySegment b, long bOff, MemorySegment y, long yOff, int r0, int r1, int o0, int o1) {
        int r = r0;
        for (; r + RB <= r1; r += RB) {
            long xr = xOff + (long) r * in;
            int o = o0;
            for (; o + 2 <= o1; o += 2) block4x2(x, xr, in, w, wOff, wBf16, out, b, bOff, y, yOff + (long) r * out, o);
            for (; o < o1; o++) block4x1(x, xr, in, w, wOff, wBf16, out, b, bOff, y, yOff + (long) r * out, o);
        }
        for (; r < r1; r++) {
            for (int o = o0; o < o1; o++) {
                float acc = Simd.dot(x, xOff + (long) r * in, w, wOff + (long) o * in, in, wBf16);
                if (b != null) acc += Simd.getF(b, bOff + o);
                Simd.setF(y, yOff + (long) r * out + o, acc);
            }
        }
    }

    private static FloatVector loadW(MemorySegment w, long off, boolean bf16) {
        return bf16 ? Simd.loadBf16(w, off) : Simd.load(w, off);
    }

    /** Rows r..r+3 (x at xr) times outputs o, o+1. */
    private static void block4x2(MemorySegment x, long xr, int in, MemorySegment w, long wOff, boolean bf16, int out,
                                 MemorySegment b, long bOff, MemorySegment y, long yr, int o) {
        long w0 = wOff + (long) o * in, w1 = w0 + in;
        long x0 = xr, x1 = xr + in, x2 = xr + 2L * in, x3 = xr + 3L * in;
        FloatVector a00 = FloatVector.zero(Simd.F), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00,
                a31 = a00;
        int bound = (bf16 && !Simd.BF16_VECTOR) ? 0 : Simd.loopBound(in);
        int i = 0;
        for (; i < bound; i += Simd.L) {
            FloatVector wa = loadW(w, w0 + i, bf16), wb = loadW(w, w1 + i, bf16);
            FloatVector v0 = Simd.load(x, x0 + i);
            a00 = v0.fma(wa, a00);
            a01 = v0.fma(wb, a01);
            FloatVector v1 = Simd.load(x, x1 + i);
            a10 = v1.fma(wa, a10);
            a11 = v1.fma(wb, a11);
            FloatVector v2 = Simd.load(x, x2 + i);
            a20 = v2.fma(wa, a20);
            a21 = v2.fma(wb, a21);
            FloatVector v3 = Simd.load(x, x3 + i);
            a30 = v3.fma(wa, a30);
            a31 = v3.fma(wb, a31);
        }
        float s00 = Simd.sum(a00), s01 = Simd.sum(a01);
        float s10 = Simd.sum(a10), s11 = Simd.sum(a11);
        float s20 = Simd.sum(a20), s21 = Simd.sum(a21);
        float s30 = Simd.sum(a30), s31 = Simd.sum(a31);
        for (; i < in; i++) {
            float wa = Simd.getW(w, w0 + i, bf16), wb = Simd.getW(w, w1 + i, bf16);
            float v0 = Simd.getF(x, x0 + i), v1 = Simd.getF(x, x1 + i), v2 = Simd.getF(x, x2 + i),
                    v3 = Simd.getF(x, x3 + i);
            s00 += v0 * wa; s01 += v0 * wb;
            s10 += v1 * wa; s11 += v1 * wb;
            s20 += v2 * wa; s21 += v2 * wb;
            s30 += v3 * wa; s31 += v3 * wb;
        }
        float b0 = b == null ? 0f : Simd.getF(b, bOff + o), b1 = b == null ? 0f : Simd.getF(b, bOff + o + 1);
        Simd.setF(y, yr + o, s00 + b0);
        Simd.setF(y, yr + o + 1, s01 + b1);
        Simd.setF(y, yr + out + o, s10 + b0);
        Simd.setF(y, yr + out + o + 1, s11 + b1);
        Simd.setF(y, yr + 2L * out + o, s20 + b0);
        Simd.setF(y, yr + 2L * out + o + 1, s21 + b1);
        Simd.setF(y, yr + 3L * out + o, s30 + b0);
        Simd.setF(y, yr + 3L * out + o + 1, s31 + b1);
    }

    private static void block4x1(MemorySegment x, long xr, int in, MemorySegment w, long wOff, boolean bf16, int out,
                                 MemorySegment b, long bOff, MemorySegment y, long yr, int o) {
        long w0 = wOff + (long) o * in;
        FloatVector a0 = FloatVector.zero(Simd.F), a1 = a0, a2 = a0, a3 = a0;
        int bound = (bf16 && !Simd.BF16_VECTOR) ? 0 : Simd.loopBound(in);
        int i = 0;
        for (; i < bound; i += Simd.L) {
            FloatVector wa = loadW(w, w0 + i, bf16);
            a0 = Simd.load(x, xr + i).fma(wa, a0);
            a1 = Simd.load(x, xr + in + i).fma(wa, a1);
            a2 = Simd.load(x, xr + 2L * in + i).fma(wa, a2);
            a3 = Simd.load(x, xr + 3L * in + i).fma(wa, a3);
        }
        float s0 = Simd.sum(a0), s1 = Simd.sum(a1);
        float s2 = Simd.sum(a2), s3 = Simd.sum(a3);
        for (; i < in; i++) {
            float wa = Simd.getW(w, w0 + i, bf16);
            s0 += Simd.getF(x, xr + i) * wa;
            s1 += Simd.getF(x, xr + in + i) * wa;
            s2 += Simd.getF(x, xr + 2L * in + i) * wa;
            s3 += Simd.getF(x, xr + 3L * in + i) * wa;
        }
        float bb = b == null ? 0f : Simd.getF(b, bOff + o);
        Simd.setF(y, yr + o, s0 + bb);
        Simd.setF(y, yr + out + o, s1 + bb);
        Simd.setF(y, yr + 2L * out + o, s2 + bb);
        Simd.setF(y, yr + 3L * out + o, s3 + bb);
    }

    private static final ThreadLocal<GemvTask> GEMV = new ThreadLocal<>();

    /** The one-row product's chunk body with its arguments (reused: the per-token path allocates nothing). */
    private static final class GemvTask extends ParallelTask {
        MemorySegment x, w, b, y;
        long xOff, wOff, bOff, yOff;
        int in, out, size;
        boolean wBf16;

        @Override
        public void accept(int c) {
            CpuGemv.rows(x, xOff, in, w, wOff, wBf16, b, bOff, y, yOff, c * size, Math.min(out, (c + 1) * size));
        }

        @Override
        protected void release() { x = w = b = y = null; }
    }
}
