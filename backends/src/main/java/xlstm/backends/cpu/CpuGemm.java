package xlstm.backends.cpu;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * The matrix product of a prefill, {@code y (M, N) = x (M, K) · Wᵀ (+ b)} with W (N, K) float32 or bf16, as
 * {@code yᵀ = W · xᵀ}: vectors run along the rows of x, so W is never repacked (it is read in place, six rows at a
 * time, one scalar of each per step, broadcast) and no horizontal sums are needed. Only x is packed, once per call
 * and in parallel: into panels of NRW = 2 vectors of rows, {@code ap[kk·NRW + r]} (transposed); a task takes a block
 * of panels sized to stay in L2.
 * The register block is 6 columns of W × 2 vectors of rows (12 accumulators, two panel loads and six broadcasts per
 * step of K); the six W rows (6·K floats) stay in L1 while the block's panels stream past. Tasks are row blocks ×
 * column ranges, parallel on the pool. Offsets are in elements.
 */
public final class CpuGemm {
    /** Columns of W per register block. */
    static final int NB = 6;
    /** Rows of x per register block (two vectors) and per packed panel. */
    static final int NRW = 2 * Simd.L;
    /** Bytes of packed x a task keeps (in L2) while it sweeps its columns. */
    private static final int A_BLOCK_BYTES = 512 * 1024;

    /** The caller's packed x (read by every task of its call); the tasks' 6 × NRW results and 6 biases. */
    private static final ThreadLocal<float[]> PACKED = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> RESULT = ThreadLocal.withInitial(() -> new float[NB * NRW + NB]);

    private CpuGemm() {}

    public static void gemm(MemorySegment x, long xOff, int m, int k, MemorySegment w, long wOff, boolean bf16,
                            int n, MemorySegment b, long bOff, MemorySegment y, long yOff) {
        if (m <= 0 || n <= 0) return;
        // x is packed once per call, in parallel, and shared: tasks are then as fine as the balance needs
        float[] packed = pack(x, xOff, m, k);
        int panels = (m + NRW - 1) / NRW;
        int mcPanels = (int) Math.max(1, Math.min(8, A_BLOCK_BYTES / (4L * NRW * Math.max(1, k))));
        int rowBlocks = (panels + mcPanels - 1) / mcPanels;
        int colParts = Math.max(1, (4 * CpuParallel.threads() + rowBlocks - 1) / rowBlocks);
        int nc = (int) Math.max(4L * NB, ((long) (n + colParts - 1) / colParts + NB - 1) / NB * NB);
        int colBlocks = (n + nc - 1) / nc;
        final int fnc = nc;
        CpuParallel.forChunks(rowBlocks * colBlocks, t -> {
            int p0 = (t / colBlocks) * mcPanels, n0 = (t % colBlocks) * fnc;
            block(packed, k, m, w, wOff, bf16, n, b, bOff, y, yOff, p0, Math.min(panels, p0 + mcPanels), n0,
                    Math.min(n, n0 + fnc));
        });
    }

    /**
     * Several products of the same x, {@code ys[j] (M, N_j) = x · W_jᵀ (+ b_j)}, as one parallel pass: x is packed
     * once, and the column blocks of all parts are tasks of the same pass (the projections of a layer that read one
     * normed input). Each output is computed as {@link #gemm} computes it.
     */
    public static void gemm(MemorySegment x, long xOff, int m, int k, FusedLinear.Part[] parts, MemorySegment[] ys) {
        if (m <= 0 || parts.length == 0) return;
        float[] packed = pack(x, xOff, m, k);
        int panels = (m + NRW - 1) / NRW;
        int mcPanels = (int) Math.max(1, Math.min(8, A_BLOCK_BYTES / (4L * NRW * Math.max(1, k))));
        int rowBlocks = (panels + mcPanels - 1) / mcPanels;
        long total = 0;
        for (FusedLinear.Part p : parts) total += p.out();
        int colParts = Math.max(1, (4 * CpuParallel.threads() + rowBlocks - 1) / rowBlocks);
        int nc = (int) Math.max(4L * NB, ((total + colParts - 1) / colParts + NB - 1) / NB * NB);
        // firstBlock[j]: the index of part j's first column block among all parts' blocks
        int[] firstBlock = new int[parts.length + 1];
        for (int j = 0; j < parts.length; j++) firstBlock[j + 1] = firstBlock[j] + (parts[j].out() + nc - 1) / nc;
        int colBlocks = firstBlock[parts.length];
        CpuParallel.forChunks(rowBlocks * colBlocks, t -> {
            int cb = t % colBlocks, j = 0;
            while (firstBlock[j + 1] <= cb) j++;
            FusedLinear.Part p = parts[j];
            int p0 = (t / colBlocks) * mcPanels, n0 = (cb - firstBlock[j]) * nc;
            block(packed, k, m, p.w(), p.wOff(), p.bf16(), p.out(), p.b(), p.bOff(), ys[j], 0, p0,
                    Math.min(panels, p0 + mcPanels), n0, Math.min(p.out(), n0 + nc));
        });
    }

    /** x packed into panels ({@link #pack}) in the calling thread's buffer, in parallel. */
    private static float[] pack(MemorySegment x, long xOff, int m, int k) {
        int panels = (m + NRW - 1) / NRW;
        long need = (long) panels * NRW * k;
        if (need > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("x too large for one GEMM: " + m + " x " + k);
        float[] ap = PACKED.get();
        if (ap.length < need) PACKED.set(ap = new float[(int) need]);
        final float[] packed = ap;
        int perTask = Math.max(1, (panels + 4 * CpuParallel.threads() - 1) / (4 * CpuParallel.threads()));
        CpuParallel.forChunks((panels + perTask - 1) / perTask, c -> {
            for (int p = c * perTask, p1 = Math.min(panels, p + perTask); p < p1; p++) pack(x, xOff, k, m, p, packed);
        });
        return packed;
    }

    /** Panels [p0, p1) of the packed x times columns [n0, n1) of Wᵀ. */
    private static void block(float[] ap, int k, int m, MemorySegment w, long wOff, boolean bf16, int n,
                              MemorySegment b, long bOff, MemorySegment y, long yOff, int p0, int p1, int n0, int n1) {
        float[] c = RESULT.get();
        for (int j0 = n0; j0 < n1; j0 += NB) {
            int cols = Math.min(NB, n1 - j0);
            long w0 = wOff + (long) j0 * k;
            // an edge block repeats its last valid row of W (those results are not stored)
            long w1 = w0 + (long) Math.min(1, cols - 1) * k, w2 = w0 + (long) Math.min(2, cols - 1) * k;
            long w3 = w0 + (long) Math.min(3, cols - 1) * k, w4 = w0 + (long) Math.min(4, cols - 1) * k;
            long w5 = w0 + (long) Math.min(5, cols - 1) * k;
            for (int p = p0; p < p1; p++) {
                if (bf16) micro16(ap, p * NRW * k, k, w, w0, w1, w2, w3, w4, w5, c);
                else micro32(ap, p * NRW * k, k, w, w0, w1, w2, w3, w4, w5, c);
                int r0 = p * NRW;
                store(c, Math.min(NRW, m - r0), cols, b, bOff, y, yOff + (long) r0 * n + j0, n, j0);
            }
        }
    }

    /** Panel p (rows p·NRW ..) of x into {@code ap[p·NRW·k + kk·NRW + r]}, zero rows past m. */
    private static void pack(MemorySegment x, long xOff, int k, int m, int p, float[] ap) {
        int base = p * NRW * k;
        for (int r = 0; r < NRW; r++) {
            int row = p * NRW + r;
            if (row < m) {
                long src = xOff + (long) row * k;
                for (int kk = 0; kk < k; kk++) ap[base + kk * NRW + r] = Simd.getF(x, src + kk);
            } else {
                for (int kk = 0; kk < k; kk++) ap[base + kk * NRW + r] = 0f;
            }
        }
    }

    /**
     * y[r, j0 + i] = c[i·NRW + r] (+ b[j0 + i]) for the valid rows and columns; yAt is y[r0, j0]. Row by row, so the
     * stores of a row are contiguous (column by column, each store touched another line of y: 7% of a prefill).
     */
    private static void store(float[] c, int rows, int cols, MemorySegment b, long bOff, MemorySegment y, long yAt,
                              int ldy, int j0) {
        int bias = NB * NRW; // c's tail holds the block's biases
        for (int i = 0; i < cols; i++) c[bias + i] = b == null ? 0f : Simd.getF(b, bOff + j0 + i);
        for (int r = 0; r < rows; r++) {
            long at = yAt + (long) r * ldy;
            for (int i = 0; i < cols; i++) Simd.setF(y, at + i, c[i * NRW + r] + c[bias + i]);
        }
    }

    /** c[i·NRW + r] = Σ_kk ap[ao + kk·NRW + r]·W_i[kk] for the six float32 rows W_i at w0..w5. */
    private static void micro32(float[] ap, int ao, int k, MemorySegment w, long w0, long w1, long w2, long w3,
                                long w4, long w5, float[] c) {
        final int l = Simd.L;
        FloatVector c00 = FloatVector.zero(Simd.F), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
                c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        for (int kk = 0; kk < k; kk++) {
            int ai = ao + kk * NRW;
            FloatVector a0 = FloatVector.fromArray(Simd.F, ap, ai), a1 = FloatVector.fromArray(Simd.F, ap, ai + l);
            FloatVector s = FloatVector.broadcast(Simd.F, Simd.getF(w, w0 + kk));
            c00 = a0.fma(s, c00);
            c01 = a1.fma(s, c01);
            s = FloatVector.broadcast(Simd.F, Simd.getF(w, w1 + kk));
            c10 = a0.fma(s, c10);
            c11 = a1.fma(s, c11);
            s = FloatVector.broadcast(Simd.F, Simd.getF(w, w2 + kk));
            c20 = a0.fma(s, c20);
            c21 = a1.fma(s, c21);
            s = FloatVector.broadcast(Simd.F, Simd.getF(w, w3 + kk));
            c30 = a0.fma(s, c30);
            c31 = a1.fma(s, c31);
            s = FloatVector.broadcast(Simd.F, Simd.getF(w, w4 + kk));
            c40 = a0.fma(s, c40);
            c41 = a1.fma(s, c41);
            s = FloatVector.broadcast(Simd.F, Simd.getF(w, w5 + kk));
            c50 = a0.fma(s, c50);
            c51 = a1.fma(s, c51);
        }
        c00.intoArray(c, 0);
        c01.intoArray(c, l);
        c10.intoArray(c, NRW);
        c11.intoArray(c, NRW + l);
        c20.intoArray(c, 2 * NRW);
        c21.intoArray(c, 2 * NRW + l);
        c30.intoArray(c, 3 * NRW);
        c31.intoArray(c, 3 * NRW + l);
        c40.intoArray(c, 4 * NRW);
        c41.intoArray(c, 4 * NRW + l);
        c50.intoArray(c, 5 * NRW);
        c51.intoArray(c, 5 * NRW + l);
    }

    /** {@link #micro32} with bf16 rows of W (each scalar widened by a shift). */
    private static void micro16(float[] ap, int ao, int k, MemorySegment w, long w0, long w1, long w2, long w3,
                                long w4, long w5, float[] c) {
        final int l = Simd.L;
        FloatVector c00 = FloatVector.zero(Simd.F), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
                c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        for (int kk = 0; kk < k; kk++) {
            int ai = ao + kk * NRW;
            FloatVector a0 = FloatVector.fromArray(Simd.F, ap, ai), a1 = FloatVector.fromArray(Simd.F, ap, ai + l);
            FloatVector s = FloatVector.broadcast(Simd.F, Simd.getBf16(w, w0 + kk));
            c00 = a0.fma(s, c00);
            c01 = a1.fma(s, c01);
            s = FloatVector.broadcast(Simd.F, Simd.getBf16(w, w1 + kk));
            c10 = a0.fma(s, c10);
            c11 = a1.fma(s, c11);
            s = FloatVector.broadcast(Simd.F, Simd.getBf16(w, w2 + kk));
            c20 = a0.fma(s, c20);
            c21 = a1.fma(s, c21);
            s = FloatVector.broadcast(Simd.F, Simd.getBf16(w, w3 + kk));
            c30 = a0.fma(s, c30);
            c31 = a1.fma(s, c31);
            s = FloatVector.broadcast(Simd.F, Simd.getBf16(w, w4 + kk));
            c40 = a0.fma(s, c40);
            c41 = a1.fma(s, c41);
            s = FloatVector.broadcast(Simd.F, Simd.getBf16(w, w5 + kk));
            c50 = a0.fma(s, c50);
            c51 = a1.fma(s, c51);
        }
        c00.intoArray(c, 0);
        c01.intoArray(c, l);
        c10.intoArray(c, NRW);
        c11.intoArray(c, NRW + l);
        c20.intoArray(c, 2 * NRW);
        c21.intoArray(c, 2 * NRW + l);
        c30.intoArray(c, 3 * NRW);
        c31.intoArray(c, 3 * NRW + l);
        c40.intoArray(c, 4 * NRW);
        c41.intoArray(c, 4 * NRW + l);
        c50.intoArray(c, 5 * NRW);
        c51.intoArray(c, 5 * NRW + l);
    }
}
