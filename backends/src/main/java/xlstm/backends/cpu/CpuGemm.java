package xlstm.backends.cpu;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import xlstm.backends.Flags;

/**
 * The matrix product of a prefill, {@code y (M, N) = x (M, K) · Wᵀ (+ b)} with W (N, K) float32 or bf16, as
 * {@code yᵀ = W · xᵀ}: vectors run along the rows of x and W's scalars are broadcast (no horizontal sums).
 * x is packed once per call and in parallel: into panels of NRW = 2 vectors of rows, {@code ap[kk·NRW + r]}
 * (transposed). Tasks are tiles of row blocks × column ranges, parallel on the pool, about as tall as wide. Within a
 * task, BLIS's loop order: K in depth blocks of {@link #KC}; per depth block, W's next 8 rows are widened into float32
 * {@code wp[i·KC + kk]} (in L1) and swept over the task's panels (in L2) by an 8 × 2-vector register block (16
 * accumulators). Offsets are in elements.
 * <p>Measured on the GPU host's 16-core Xeon (2026-11-29, 16 threads, 512 rows, float32 weights): 768x2048 1.82 ms and
 * 2048x768 2.65 ms, against 2.80 / 2.85 ms for the former direct block (W read in place, 6 rows × 2 vectors, all of
 * K at once; C2 spilled its six row addresses); a 125M prefill of 512 tokens 2184 against 2060 tokens/s (3 rounds,
 * alternating, one call). Tried and not kept: KC = 128 (2112 tokens/s), a 4x4 and a 12x2 block (C2 boxed the
 * vectors of the latter), accumulators loaded from memory (one of them boxed in some compilations).
 */
public final class CpuGemm {
    /** Rows of x per register block (two vectors) and per packed panel. */
    static final int NRW = 2 * Simd.L;
    /** Columns of W per register block. */
    static final int NB = 8;
    /**
     * The depth block: K is taken KC at a time, so a task's x panels for one depth block (at most
     * {@link #MAX_PANELS} · NRW · KC floats, 512 KiB) stay in L2 while W's 8 · KC floats stay in L1. A compile-time
     * constant for C2, so W's 8 rows in {@code wp[i·KC + kk]} are one base register and constant displacements.
     */
    static final int KC = Flags.intFlag("xlstm.cpu.gemm.kc", 256, 1);
    /** Panels of x per task at most; the results a task keeps between depth blocks, at most (floats). */
    private static final int MAX_PANELS = 16, C_BLOCK = 32 * 1024;
    /**
     * Tasks per pool thread of one product ({@code -Dxlstm.cpu.gemm.tasksPerThread}, default 4): more even out the
     * tail (the last task's length, about 1/8 of a product at 4), fewer re-read less of x and W.
     */
    static final int TASKS_PER_THREAD = Flags.intFlag("xlstm.cpu.gemm.tasksPerThread", 4, 1);

    /** The caller's packed x (read by every task of its call); a task's sums of one register block and depth block. */
    private static final ThreadLocal<float[]> PACKED = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> RESULT = ThreadLocal.withInitial(() -> new float[NB * NRW]);
    /** A task's 8 W rows of one depth block, and its results between depth blocks. */
    private static final ThreadLocal<float[]> PACKED_W = ThreadLocal.withInitial(() -> new float[NB * KC]);
    private static final ThreadLocal<float[]> RESULTS = ThreadLocal.withInitial(() -> new float[C_BLOCK]);

    private CpuGemm() {}

    public static void gemm(MemorySegment x, long xOff, int m, int k, MemorySegment w, long wOff, boolean bf16,
                            int n, MemorySegment b, long bOff, MemorySegment y, long yOff) {
        if (m <= 0 || n <= 0) return;
        // x is packed once per call, in parallel, and shared: tasks are then as fine as the balance needs
        float[] packed = pack(x, xOff, m, k);
        Tiling tl = Tiling.of(m, n);
        int colBlocks = (n + tl.nc - 1) / tl.nc;
        CpuParallel.forChunks(tl.rowBlocks * colBlocks, t -> {
            int p0 = (t / colBlocks) * tl.mcPanels, n0 = (t % colBlocks) * tl.nc;
            block(packed, k, m, w, wOff, bf16, n, b, bOff, y, yOff, p0, Math.min(tl.panels, p0 + tl.mcPanels), n0,
                    Math.min(n, n0 + tl.nc));
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
        long total = 0;
        for (FusedLinear.Part p : parts) total += p.out();
        Tiling tl = Tiling.of(m, total);
        int nc = tl.nc;
        // firstBlock[j]: the index of part j's first column block among all parts' blocks
        int[] firstBlock = new int[parts.length + 1];
        for (int j = 0; j < parts.length; j++) firstBlock[j + 1] = firstBlock[j] + (parts[j].out() + nc - 1) / nc;
        int colBlocks = firstBlock[parts.length];
        CpuParallel.forChunks(tl.rowBlocks * colBlocks, t -> {
            int cb = t % colBlocks, j = 0;
            while (firstBlock[j + 1] <= cb) j++;
            FusedLinear.Part p = parts[j];
            int p0 = (t / colBlocks) * tl.mcPanels, n0 = (cb - firstBlock[j]) * nc;
            block(packed, k, m, p.w(), p.wOff(), p.bf16(), p.out(), p.b(), p.bOff(), ys[j], 0, p0,
                    Math.min(tl.panels, p0 + tl.mcPanels), n0, Math.min(p.out(), n0 + nc));
        });
    }

    /**
     * A call's tasks: row blocks of mcPanels panels (of {@code panels}) times column blocks of nc columns, about
     * {@link #TASKS_PER_THREAD} per thread, the tiles about as tall (rows) as wide (columns): that minimises what each
     * task reads of x and W for its FLOPs (all rows by a few columns made each task read all of x). At most
     * {@link #MAX_PANELS} panels tall.
     */
    private record Tiling(int panels, int mcPanels, int rowBlocks, int nc) {
        static Tiling of(int m, long n) {
            int panels = (m + NRW - 1) / NRW, tasks = TASKS_PER_THREAD * CpuParallel.threads();
            int rows = (int) Math.round(Math.sqrt((double) tasks * m / n));
            rows = Math.max((panels + MAX_PANELS - 1) / MAX_PANELS, Math.min(panels, Math.max(1, rows)));
            int mc = (panels + rows - 1) / rows, rowBlocks = (panels + mc - 1) / mc;
            int colParts = Math.max(1, (tasks + rowBlocks - 1) / rowBlocks);
            int nc = (int) Math.max(NB, ((n + colParts - 1) / colParts + NB - 1) / NB * NB);
            return new Tiling(panels, mc, rowBlocks, nc);
        }
    }

    /** x packed into panels ({@link #pack}) in the calling thread's buffer, in parallel. */
    private static float[] pack(MemorySegment x, long xOff, int m, int k) {
        int panels = (m + NRW - 1) / NRW;
        long need = (long) panels * NRW * k;
        if (need > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("x too large for one GEMM: " + m + " x " + k);
        }
        float[] ap = PACKED.get();
        if (ap.length < need) PACKED.set(ap = new float[(int) need]);
        final float[] packed = ap;
        int perTask = Math.max(1, (panels + 4 * CpuParallel.threads() - 1) / (4 * CpuParallel.threads()));
        CpuParallel.forChunks((panels + perTask - 1) / perTask, c -> {
            for (int p = c * perTask, p1 = Math.min(panels, p + perTask); p < p1; p++) pack(x, xOff, k, m, p, packed);
        });
        return packed;
    }

    /**
     * Panels [p0, p1) of the packed x times columns [n0, n1) of Wᵀ, in BLIS's loop order: for each chunk of columns
     * whose results fit in {@link #C_BLOCK}, for each depth block of KC, for each 8 columns (packed once into L1), for
     * each panel (from L2).
     * The results of a chunk accumulate in {@code cs[(jb·panels + p)·8·NRW + i·NRW + r]} across depth blocks (each
     * block's FMA chain added to the sum of the blocks before) and are stored at the end.
     */
    private static void block(float[] ap, int k, int m, MemorySegment w, long wOff, boolean bf16, int n,
                              MemorySegment b, long bOff, MemorySegment y, long yOff, int p0, int p1, int n0, int n1) {
        float[] wp = PACKED_W.get(), cs = RESULTS.get(), sum = RESULT.get();
        int panels = p1 - p0, tile = NB * NRW;
        int chunk = Math.max(NB, C_BLOCK / (panels * tile) * NB);
        if (cs.length < chunk / NB * panels * tile) RESULTS.set(cs = new float[chunk / NB * panels * tile]);
        for (int jc = n0; jc < n1; jc += chunk) {
            int jEnd = Math.min(n1, jc + chunk);
            for (int k0 = 0; k0 < k; k0 += KC) {
                int kc = Math.min(KC, k - k0);
                for (int j0 = jc; j0 < jEnd; j0 += NB) {
                    packW(w, wOff + (long) j0 * k + k0, bf16, k, kc, Math.min(NB, jEnd - j0), wp);
                    int at = (j0 - jc) / NB * panels * tile;
                    for (int p = p0; p < p1; p++, at += tile) {
                        if (k0 == 0) {
                            micro8(ap, p * NRW * k, kc, wp, cs, at);
                        } else {
                            micro8(ap, p * NRW * k + k0 * NRW, kc, wp, sum, 0);
                            addTile(cs, at, sum);
                        }
                    }
                }
            }
            for (int j0 = jc; j0 < jEnd; j0 += NB) {
                int at = (j0 - jc) / NB * panels * tile;
                for (int p = p0; p < p1; p++, at += tile) {
                    int r0 = p * NRW;
                    store(cs, at, Math.min(NRW, m - r0), Math.min(NB, jEnd - j0), b, bOff, y,
                            yOff + (long) r0 * n + j0, n, j0);
                }
            }
        }
    }

    /** A panel's rows of x, copied in bulk before they are transposed (per-element segment reads were 5 %). */
    private static final ThreadLocal<float[]> ROWS = ThreadLocal.withInitial(() -> new float[0]);

    /** Panel p (rows p·NRW ..) of x into {@code ap[p·NRW·k + kk·NRW + r]}, zero rows past m. */
    private static void pack(MemorySegment x, long xOff, int k, int m, int p, float[] ap) {
        int base = p * NRW * k, rows = Math.max(0, Math.min(NRW, m - p * NRW));
        float[] t = ROWS.get();
        if (t.length < NRW * k) ROWS.set(t = new float[NRW * k]);
        MemorySegment.copy(x, Simd.FLOAT, 4L * (xOff + (long) p * NRW * k), t, 0, rows * k);
        for (int r = 0; r < NRW; r++) {
            if (r < rows) {
                for (int kk = 0, at = r * k; kk < k; kk++) ap[base + kk * NRW + r] = t[at + kk];
            } else {
                for (int kk = 0; kk < k; kk++) ap[base + kk * NRW + r] = 0f;
            }
        }
    }

    /** Eight lanes: one row of a block's results (up to 8 columns), gathered from c at stride NRW. */
    private static final VectorSpecies<Float> ROW = FloatVector.SPECIES_256;
    /** Whether the row store is vectorised (8-lane vectors exist wherever the preferred ones have 8 or more). */
    private static final boolean ROW_VECTORS = Simd.L >= 8;
    private static final int[] ROW_GATHER = {0, NRW, 2 * NRW, 3 * NRW, 4 * NRW, 5 * NRW, 6 * NRW, 7 * NRW};

    /**
     * y[r, j0 + i] = c[co + i·NRW + r] (+ b[j0 + i]) for the valid rows and columns; yAt is y[r0, j0]. Row by row, so
     * the stores of a row are contiguous (column by column, each store touched another line of y: 7% of a prefill): a
     * full row's 8 columns are gathered from c in one 8-lane vector and stored at once (element by element, this
     * was still 7.7 % of a 125M prefill's samples on the development machine). Blocks narrower than 8 columns go
     * element by element: on the GPU host's Xeon the masked gather was not compiled to an instruction (7.5 % of a
     * prefill's samples in FloatVector.fromArray0Template).
     */
    private static void store(float[] c, int co, int rows, int cols, MemorySegment b, long bOff, MemorySegment y,
                              long yAt, int ldy, int j0) {
        if (!ROW_VECTORS || cols < 8) {
            storeScalar(c, co, rows, cols, b, bOff, y, yAt, ldy, j0);
            return;
        }
        FloatVector bias = b == null ? FloatVector.zero(ROW) : FloatVector.fromMemorySegment(ROW, b, 4L * (bOff + j0),
                Simd.ORDER);
        for (int r = 0; r < rows; r++) {
            FloatVector v = FloatVector.fromArray(ROW, c, co + r, ROW_GATHER, 0).add(bias);
            v.intoMemorySegment(y, 4L * (yAt + (long) r * ldy), Simd.ORDER);
        }
    }

    /** {@link #store} element by element (machines with vectors of fewer than 8 floats). */
    private static void storeScalar(float[] c, int co, int rows, int cols, MemorySegment b, long bOff,
                                    MemorySegment y, long yAt, int ldy, int j0) {
        for (int r = 0; r < rows; r++) {
            long at = yAt + (long) r * ldy;
            for (int i = 0; i < cols; i++) {
                Simd.setF(y, at + i, c[co + i * NRW + r] + (b == null ? 0f : Simd.getF(b, bOff + j0 + i)));
            }
        }
    }

    /**
     * W's rows [0, cols) from wAt (row stride k), kc elements each, into {@code wp[i·KC + kk]} as float32, widened by
     * vectors; rows past cols zero.
     */
    private static void packW(MemorySegment w, long wAt, boolean bf16, int k, int kc, int cols, float[] wp) {
        int bound = bf16 && !Simd.BF16_VECTOR ? 0 : Simd.loopBound(kc);
        for (int i = 0; i < NB; i++) {
            long row = wAt + (long) i * k;
            int at = i * KC, kk = 0;
            if (i >= cols) {
                java.util.Arrays.fill(wp, at, at + kc, 0f);
                continue;
            }
            // one loop per dtype: a vector merged from the two loads would be boxed
            if (bf16) {
                for (; kk < bound; kk += Simd.L) Simd.loadBf16(w, row + kk).intoArray(wp, at + kk);
            } else {
                for (; kk < bound; kk += Simd.L) Simd.load(w, row + kk).intoArray(wp, at + kk);
            }
            for (; kk < kc; kk++) wp[at + kk] = Simd.getW(w, row + kk, bf16);
        }
    }

    /**
     * The register block (16 accumulators) over one depth block: c[co + i·NRW + r] = Σ_{kk < kc}
     * ap[ao + kk·NRW + r]·wp[i·KC + kk].
     */
    private static void micro8(float[] ap, int ao, int kc, float[] wp, float[] c, int co) {
        final int l = Simd.L;
        // from zeros, always stored: accumulators loaded from c, merged from two branches, or passed to a call not
        // inlined got boxed by C2 in some compilations (the caller adds the stored sums where it accumulates)
        FloatVector c00 = FloatVector.zero(Simd.F), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
                c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00, c60 = c00, c61 = c00, c70 = c00,
                c71 = c00;
        for (int kk = 0; kk < kc; kk++) {
            int ai = ao + kk * NRW;
            FloatVector a0 = FloatVector.fromArray(Simd.F, ap, ai), a1 = FloatVector.fromArray(Simd.F, ap, ai + l);
            FloatVector s = FloatVector.broadcast(Simd.F, wp[kk]);
            c00 = a0.fma(s, c00);
            c01 = a1.fma(s, c01);
            s = FloatVector.broadcast(Simd.F, wp[KC + kk]);
            c10 = a0.fma(s, c10);
            c11 = a1.fma(s, c11);
            s = FloatVector.broadcast(Simd.F, wp[2 * KC + kk]);
            c20 = a0.fma(s, c20);
            c21 = a1.fma(s, c21);
            s = FloatVector.broadcast(Simd.F, wp[3 * KC + kk]);
            c30 = a0.fma(s, c30);
            c31 = a1.fma(s, c31);
            s = FloatVector.broadcast(Simd.F, wp[4 * KC + kk]);
            c40 = a0.fma(s, c40);
            c41 = a1.fma(s, c41);
            s = FloatVector.broadcast(Simd.F, wp[5 * KC + kk]);
            c50 = a0.fma(s, c50);
            c51 = a1.fma(s, c51);
            s = FloatVector.broadcast(Simd.F, wp[6 * KC + kk]);
            c60 = a0.fma(s, c60);
            c61 = a1.fma(s, c61);
            s = FloatVector.broadcast(Simd.F, wp[7 * KC + kk]);
            c70 = a0.fma(s, c70);
            c71 = a1.fma(s, c71);
        }
        store2(c, c00, c01, co);
        store2(c, c10, c11, co + NRW);
        store2(c, c20, c21, co + 2 * NRW);
        store2(c, c30, c31, co + 3 * NRW);
        store2(c, c40, c41, co + 4 * NRW);
        store2(c, c50, c51, co + 5 * NRW);
        store2(c, c60, c61, co + 6 * NRW);
        store2(c, c70, c71, co + 7 * NRW);
    }

    private static void store2(float[] c, FloatVector v0, FloatVector v1, int at) {
        v0.intoArray(c, at);
        v1.intoArray(c, at + Simd.L);
    }

    /** c[co + j] += t[j] for one register block's 8 · NRW results. */
    private static void addTile(float[] c, int co, float[] t) {
        for (int j = 0; j < NB * NRW; j += Simd.L) load(c, co + j).add(load(t, j)).intoArray(c, co + j);
    }

    private static FloatVector load(float[] c, int at) {
        return FloatVector.fromArray(Simd.F, c, at);
    }

}
