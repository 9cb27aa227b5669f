package xlstm.backends.cpu;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * The matrix product of a prefill, {@code y (M, N) = x (M, K) · Wᵀ (+ b)} with W (N, K) float32 or bf16, in the
 * GotoBLAS layout: the output is cut into tiles (MC rows × NC columns, parallel over tiles), K into blocks of KC;
 * per block the tile's rows of x are packed into slivers of MR rows ({@code Ap[k][r]}) and its columns of W,
 * widened to float32, into panels of NR columns ({@code Bp[k][j]}, a transpose); a 6 × 2-vector register block
 * then runs over one sliver and one panel (12 accumulators, two panel loads and six broadcasts per k). A panel
 * (KC × NR floats, 16 KiB) stays in L1 while the tile's slivers stream from L2. Offsets are in elements.
 */
public final class CpuGemm {
    /** Rows of the register block. */
    static final int MR = 6;
    /** Columns of the register block: two vectors. */
    static final int NR = 2 * Simd.L;
    /** Depth of a K block: one panel of KC × NR floats is 16 KiB. */
    static final int KC = Math.max(64, 4096 / NR);
    private static final int MC_MAX = 16 * MR, NC_MAX = 8 * NR;

    private static final ThreadLocal<float[][]> SCRATCH =
            ThreadLocal.withInitial(() -> new float[][] {new float[MC_MAX * KC], new float[KC * NC_MAX], new float[MR * NR]});

    private CpuGemm() {}

    public static void gemm(MemorySegment x, long xOff, int m, int k, MemorySegment w, long wOff, boolean bf16,
                            int n, MemorySegment b, long bOff, MemorySegment y, long yOff) {
        if (m <= 0 || n <= 0) return;
        int target = 4 * CpuParallel.threads();
        int mc = MC_MAX, nc = NC_MAX;
        while (tiles(m, mc, n, nc) < target && nc > 2 * NR) nc /= 2;
        while (tiles(m, mc, n, nc) < target && mc > 4 * MR) mc = Math.max(4 * MR, (mc / 2) / MR * MR);
        final int fmc = mc, fnc = nc, colTiles = (n + nc - 1) / nc;
        CpuParallel.forChunks(tiles(m, mc, n, nc), t -> {
            int m0 = (t / colTiles) * fmc, n0 = (t % colTiles) * fnc;
            tile(x, xOff, k, w, wOff, bf16, n, b, bOff, y, yOff, m0, Math.min(m, m0 + fmc), n0, Math.min(n, n0 + fnc));
        });
    }

    private static int tiles(int m, int mc, int n, int nc) {
        return ((m + mc - 1) / mc) * ((n + nc - 1) / nc);
    }

    private static void tile(MemorySegment x, long xOff, int k, MemorySegment w, long wOff, boolean bf16, int n,
                             MemorySegment b, long bOff, MemorySegment y, long yOff, int m0, int m1, int n0, int n1) {
        float[][] scratch = SCRATCH.get();
        float[] ap = scratch[0], bp = scratch[1], c = scratch[2];
        int slivers = (m1 - m0 + MR - 1) / MR, panels = (n1 - n0 + NR - 1) / NR;
        for (int k0 = 0; k0 < k; k0 += KC) {
            int kc = Math.min(KC, k - k0);
            packA(x, xOff, k, m0, m1, k0, kc, ap);
            packB(w, wOff, bf16, k, n0, n1, k0, kc, bp);
            for (int p = 0; p < panels; p++) {
                int j0 = n0 + p * NR;
                for (int s = 0; s < slivers; s++) {
                    int r0 = m0 + s * MR;
                    micro(ap, s * MR * kc, bp, p * NR * kc, kc, c);
                    writeBack(c, y, yOff, n, r0, Math.min(MR, m1 - r0), j0, Math.min(NR, n1 - j0), k0 > 0);
                }
            }
        }
        if (b != null) {
            for (int r = m0; r < m1; r++) CpuElementwise.add(y, yOff + (long) r * n + n0, b, bOff + n0, y,
                    yOff + (long) r * n + n0, n1 - n0);
        }
    }

    /** Rows [m0, m1) × depth [k0, k0 + kc) of x into slivers {@code ap[s·MR·kc + kk·MR + r]}, zero rows past m1. */
    private static void packA(MemorySegment x, long xOff, int k, int m0, int m1, int k0, int kc, float[] ap) {
        for (int r0 = m0, s = 0; r0 < m1; r0 += MR, s++) {
            int base = s * MR * kc;
            for (int r = 0; r < MR; r++) {
                int row = r0 + r;
                if (row < m1) {
                    long src = xOff + (long) row * k + k0;
                    for (int kk = 0; kk < kc; kk++) ap[base + kk * MR + r] = Simd.getF(x, src + kk);
                } else {
                    for (int kk = 0; kk < kc; kk++) ap[base + kk * MR + r] = 0f;
                }
            }
        }
    }

    /** Columns [n0, n1) × depth [k0, k0 + kc) of Wᵀ into panels {@code bp[p·NR·kc + kk·NR + j]}, zeros past n1. */
    private static void packB(MemorySegment w, long wOff, boolean bf16, int k, int n0, int n1, int k0, int kc,
                              float[] bp) {
        for (int j0 = n0, p = 0; j0 < n1; j0 += NR, p++) {
            int base = p * NR * kc;
            for (int j = 0; j < NR; j++) {
                int col = j0 + j;
                if (col < n1) {
                    long src = wOff + (long) col * k + k0;
                    if (bf16) {
                        for (int kk = 0; kk < kc; kk++) bp[base + kk * NR + j] = Simd.getBf16(w, src + kk);
                    } else {
                        for (int kk = 0; kk < kc; kk++) bp[base + kk * NR + j] = Simd.getF(w, src + kk);
                    }
                } else {
                    for (int kk = 0; kk < kc; kk++) bp[base + kk * NR + j] = 0f;
                }
            }
        }
    }

    /**
     * The register block: {@code c[r·NR + j] = Σ_kk ap[ao + kk·MR + r]·bp[bo + kk·NR + j]}. Its 12 accumulators are
     * written to {@code c} (L1) rather than to y, which keeps the method small enough for C2 to keep every vector in
     * a register; {@link #writeBack} handles edges and accumulation.
     */
    private static void micro(float[] ap, int ao, float[] bp, int bo, int kc, float[] c) {
        final int l = Simd.L;
        FloatVector c00 = FloatVector.zero(Simd.F), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
                c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        for (int kk = 0; kk < kc; kk++) {
            int bi = bo + kk * NR, ai = ao + kk * MR;
            FloatVector b0 = FloatVector.fromArray(Simd.F, bp, bi), b1 = FloatVector.fromArray(Simd.F, bp, bi + l);
            FloatVector a = FloatVector.broadcast(Simd.F, ap[ai]);
            c00 = b0.fma(a, c00);
            c01 = b1.fma(a, c01);
            a = FloatVector.broadcast(Simd.F, ap[ai + 1]);
            c10 = b0.fma(a, c10);
            c11 = b1.fma(a, c11);
            a = FloatVector.broadcast(Simd.F, ap[ai + 2]);
            c20 = b0.fma(a, c20);
            c21 = b1.fma(a, c21);
            a = FloatVector.broadcast(Simd.F, ap[ai + 3]);
            c30 = b0.fma(a, c30);
            c31 = b1.fma(a, c31);
            a = FloatVector.broadcast(Simd.F, ap[ai + 4]);
            c40 = b0.fma(a, c40);
            c41 = b1.fma(a, c41);
            a = FloatVector.broadcast(Simd.F, ap[ai + 5]);
            c50 = b0.fma(a, c50);
            c51 = b1.fma(a, c51);
        }
        c00.intoArray(c, 0);
        c01.intoArray(c, l);
        c10.intoArray(c, NR);
        c11.intoArray(c, NR + l);
        c20.intoArray(c, 2 * NR);
        c21.intoArray(c, 2 * NR + l);
        c30.intoArray(c, 3 * NR);
        c31.intoArray(c, 3 * NR + l);
        c40.intoArray(c, 4 * NR);
        c41.intoArray(c, 4 * NR + l);
        c50.intoArray(c, 5 * NR);
        c51.intoArray(c, 5 * NR + l);
    }

    /** y[r0 + r, j0 + j] (+)= c[r·NR + j] for the valid {@code rows} × {@code cols}. */
    private static void writeBack(float[] c, MemorySegment y, long yOff, int ldy, int r0, int rows, int j0, int cols,
                                  boolean accumulate) {
        for (int r = 0; r < rows; r++) {
            long at = yOff + (long) (r0 + r) * ldy + j0;
            int j = 0;
            for (; j + Simd.L <= cols; j += Simd.L) {
                FloatVector v = FloatVector.fromArray(Simd.F, c, r * NR + j);
                if (accumulate) v = v.add(Simd.load(y, at + j));
                Simd.store(v, y, at + j);
            }
            for (; j < cols; j++) Simd.setF(y, at + j, c[r * NR + j] + (accumulate ? Simd.getF(y, at + j) : 0f));
        }
    }
}
