package xlstm.backends.cpu;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The matrix product of a prefill, {@code y (M, N) = x (M, K) · Wᵀ (+ b)} with W (N, K) float32 or bf16, as
 * {@code yᵀ = W · xᵀ}: vectors run along the rows of x and W's scalars are broadcast (no horizontal sums).
 * x is packed once per call and in parallel: into panels of NRW = 2 vectors of rows, {@code ap[kk·NRW + r]}
 * (transposed); a task takes a block of panels sized to stay in L2. Tasks are row blocks × column ranges, parallel
 * on the pool. Offsets are in elements. Two register blocks:
 * <ul>
 * <li>direct (float32): 6 columns of W × 2 vectors of rows (12 accumulators); W is read in place, six rows at a
 *     time (6·K floats stay in L1 while the block's panels stream past);</li>
 * <li>packed: 8 columns × 2 vectors (16 accumulators) from W's 8 rows packed per column block as float32
 *     {@code wp[kk·8 + i]}: one base register for W (C2 spilled the six row addresses of the direct block into vector
 *     registers), and bf16 is widened once per block instead of once per panel. 24 accumulators made C2 box the
 *     vectors.</li>
 * </ul>
 * bf16 weights always take the packed block; float32 ones from {@link #PACKED_F32_COLUMNS} columns on (an LM head),
 * or always with {@code -Dxlstm.cpu.gemm.packW=all} (default "auto"). Measured with JMH
 * GemmBench on the 16-core Xeon (2026-11-29, 512 rows, 16 threads): packed against direct, bf16 2.50 / 2.82 / 47.5 ms
 * against 3.48 / 3.77 / 72.4 ms (768x2048, 2048x768, 768x50304); float32 2.69 / 3.68 / 49.6 against 2.66 / 2.58 /
 * 57.8 ms (one thread: 28.0 / 31.4 / 660 against 27.2 / 26.0 / 720 ms), so float32 is packed only for the LM head.
 */
public final class CpuGemm {
    /** Rows of x per register block (two vectors) and per packed panel. */
    static final int NRW = 2 * Simd.L;
    /** Columns of W per register block: direct and packed. */
    static final int NB_DIRECT = 6, NB_PACKED = 8;
    /** Bytes of packed x a direct task keeps (in L2) while it sweeps its columns. */
    private static final int A_BLOCK_DIRECT = 512 * 1024;
    /**
     * The packed block's depth: K is taken KC at a time, so a task's x panels for one depth block (at most
     * {@link #MAX_PANELS} · NRW · KC floats, 512 KiB) stay in L2 while W's 8 · KC floats stay in L1. A compile-time
     * constant for C2, so W's 8 rows in {@code wp[i·KC + kk]} are one base register and constant displacements.
     */
    static final int KC = Integer.getInteger("xlstm.cpu.gemm.kc", 256);
    /** Panels of x per packed task at most; the results a packed task keeps between depth blocks, at most (floats). */
    private static final int MAX_PANELS = 16, C_BLOCK = 32 * 1024;
    private static final String PACK_W = packWMode(System.getProperty("xlstm.cpu.gemm.packW", "auto"));
    /** From this many output columns on, float32 weights take the packed block too (auto mode). */
    static final int PACKED_F32_COLUMNS = 16384;

    /**
     * The caller's packed x (read by every task of its call); a task's results of one register block (8 × NRW: the
     * direct block uses 6 × NRW, but the row store's gather checks all 8 indices, masked or not).
     */
    private static final ThreadLocal<float[]> PACKED = ThreadLocal.withInitial(() -> new float[0]);
    private static final ThreadLocal<float[]> RESULT = ThreadLocal.withInitial(() -> new float[NB_PACKED * NRW]);
    /** A packed task's 8 W rows of one depth block, and its results between depth blocks. */
    private static final ThreadLocal<float[]> PACKED_W = ThreadLocal.withInitial(() -> new float[NB_PACKED * KC]);
    private static final ThreadLocal<float[]> RESULTS = ThreadLocal.withInitial(() -> new float[C_BLOCK]);

    private CpuGemm() {}

    static String packWMode(String v) {
        if (v.equals("auto") || v.equals("all")) return v;
        throw new IllegalArgumentException("-Dxlstm.cpu.gemm.packW=" + v + ": auto or all");
    }

    /** Whether weights of this type, with n output columns in all, take the packed register block (bf16 always). */
    static boolean packed(boolean bf16, long n) {
        return bf16 || PACK_W.equals("all") || n >= PACKED_F32_COLUMNS;
    }

    public static void gemm(MemorySegment x, long xOff, int m, int k, MemorySegment w, long wOff, boolean bf16,
                            int n, MemorySegment b, long bOff, MemorySegment y, long yOff) {
        if (m <= 0 || n <= 0) return;
        // x is packed once per call, in parallel, and shared: tasks are then as fine as the balance needs
        float[] packed = pack(x, xOff, m, k);
        boolean pw = packed(bf16, n);
        Tiling tl = Tiling.of(m, k, n, pw);
        int colBlocks = (n + tl.nc - 1) / tl.nc;
        CpuParallel.forChunks(tl.rowBlocks * colBlocks, t -> {
            int p0 = (t / colBlocks) * tl.mcPanels, n0 = (t % colBlocks) * tl.nc;
            block(pw, packed, k, m, w, wOff, bf16, n, b, bOff, y, yOff, p0, Math.min(tl.panels, p0 + tl.mcPanels),
                    n0, Math.min(n, n0 + tl.nc));
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
        boolean anyBf16 = false;
        for (FusedLinear.Part p : parts) {
            total += p.out();
            anyBf16 |= p.bf16();
        }
        boolean pw = packed(anyBf16, total); // the packed block computes parts of either dtype, the direct one float32
        Tiling tl = Tiling.of(m, k, total, pw);
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
            block(pw, packed, k, m, p.w(), p.wOff(), p.bf16(), p.out(), p.b(), p.bOff(), ys[j], 0, p0,
                    Math.min(tl.panels, p0 + tl.mcPanels), n0, Math.min(p.out(), n0 + nc));
        });
    }

    /**
     * A call's tasks: row blocks of mcPanels panels (of {@code panels}) times column blocks of nc columns, about four
     * per thread. Direct: as many panels as stay in L2 (at most 8), the columns split among them. Packed: tiles about
     * as tall (rows) as wide (columns), which minimises what each task reads of x and W for its FLOPs (all rows by a
     * few columns made each task read all of x), at most {@link #MAX_PANELS} panels tall.
     */
    private record Tiling(int panels, int mcPanels, int rowBlocks, int nc) {
        static Tiling of(int m, int k, long n, boolean packedW) {
            int panels = (m + NRW - 1) / NRW, tasks = 4 * CpuParallel.threads();
            int nb = packedW ? NB_PACKED : NB_DIRECT, mc;
            if (packedW) {
                int rows = (int) Math.round(Math.sqrt((double) tasks * m / n));
                rows = Math.max((panels + MAX_PANELS - 1) / MAX_PANELS, Math.min(panels, Math.max(1, rows)));
                mc = (panels + rows - 1) / rows;
            } else {
                mc = (int) Math.max(1, Math.min(8, A_BLOCK_DIRECT / (4L * NRW * Math.max(1, k))));
            }
            int rowBlocks = (panels + mc - 1) / mc;
            int colParts = Math.max(1, (tasks + rowBlocks - 1) / rowBlocks);
            long minCols = packedW ? nb : 4L * nb;
            int nc = (int) Math.max(minCols, ((n + colParts - 1) / colParts + nb - 1) / nb * nb);
            return new Tiling(panels, mc, rowBlocks, nc);
        }
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
    private static void block(boolean packedW, float[] ap, int k, int m, MemorySegment w, long wOff, boolean bf16,
                              int n, MemorySegment b, long bOff, MemorySegment y, long yOff, int p0, int p1, int n0,
                              int n1) {
        if (packedW) {
            blockPacked(ap, k, m, w, wOff, bf16, n, b, bOff, y, yOff, p0, p1, n0, n1);
            return;
        }
        float[] c = RESULT.get();
        for (int j0 = n0; j0 < n1; j0 += NB_DIRECT) {
            int cols = Math.min(NB_DIRECT, n1 - j0);
            long w0 = wOff + (long) j0 * k;
            // an edge block repeats its last valid row of W (those results are not stored)
            long w1 = w0 + (long) Math.min(1, cols - 1) * k, w2 = w0 + (long) Math.min(2, cols - 1) * k;
            long w3 = w0 + (long) Math.min(3, cols - 1) * k, w4 = w0 + (long) Math.min(4, cols - 1) * k;
            long w5 = w0 + (long) Math.min(5, cols - 1) * k;
            for (int p = p0; p < p1; p++) {
                micro32(ap, p * NRW * k, k, w, w0, w1, w2, w3, w4, w5, c);
                int r0 = p * NRW;
                store(c, 0, Math.min(NRW, m - r0), cols, b, bOff, y, yOff + (long) r0 * n + j0, n, j0);
            }
        }
    }

    /**
     * {@link #block} on the packed register block, BLIS's loop order: for each chunk of columns whose results fit in
     * {@link #C_BLOCK}, for each depth block of KC, for each 8 columns (packed once into L1), for each panel (from L2).
     * The results of a chunk accumulate in {@code cs[(jb·panels + p)·8·NRW + i·NRW + r]} across depth blocks (each
     * block's FMA chain added to the sum of the blocks before) and are stored at the end.
     */
    private static void blockPacked(float[] ap, int k, int m, MemorySegment w, long wOff, boolean bf16, int n,
                                    MemorySegment b, long bOff, MemorySegment y, long yOff, int p0, int p1, int n0,
                                    int n1) {
        float[] wp = PACKED_W.get(), cs = RESULTS.get(), sum = RESULT.get();
        int panels = p1 - p0, tile = NB_PACKED * NRW;
        int chunk = Math.max(NB_PACKED, C_BLOCK / (panels * tile) * NB_PACKED);
        if (cs.length < chunk / NB_PACKED * panels * tile) RESULTS.set(cs = new float[chunk / NB_PACKED * panels * tile]);
        for (int jc = n0; jc < n1; jc += chunk) {
            int jEnd = Math.min(n1, jc + chunk);
            for (int k0 = 0; k0 < k; k0 += KC) {
                int kc = Math.min(KC, k - k0);
                for (int j0 = jc; j0 < jEnd; j0 += NB_PACKED) {
                    packW(w, wOff + (long) j0 * k + k0, bf16, k, kc, Math.min(NB_PACKED, jEnd - j0), wp);
                    int at = (j0 - jc) / NB_PACKED * panels * tile;
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
            for (int j0 = jc; j0 < jEnd; j0 += NB_PACKED) {
                int at = (j0 - jc) / NB_PACKED * panels * tile;
                for (int p = p0; p < p1; p++, at += tile) {
                    int r0 = p * NRW;
                    store(cs, at, Math.min(NRW, m - r0), Math.min(NB_PACKED, jEnd - j0), b, bOff, y,
                            yOff + (long) r0 * n + j0, n, j0);
                }
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

    /** Eight lanes: one row of a block's results (up to 8 columns), gathered from c at stride NRW. */
    private static final VectorSpecies<Float> ROW = FloatVector.SPECIES_256;
    /** Whether the row store is vectorised (8-lane vectors exist wherever the preferred ones have 8 or more). */
    private static final boolean ROW_VECTORS = Simd.L >= 8;
    private static final int[] ROW_GATHER = {0, NRW, 2 * NRW, 3 * NRW, 4 * NRW, 5 * NRW, 6 * NRW, 7 * NRW};

    /**
     * y[r, j0 + i] = c[co + i·NRW + r] (+ b[j0 + i]) for the valid rows and columns; yAt is y[r0, j0]. Row by row, so the
     * stores of a row are contiguous (column by column, each store touched another line of y: 7% of a prefill): a
     * row's columns are gathered from c in one masked 8-lane vector and stored at once (element by element, this
     * was still 7.7 % of a 125M prefill's samples on the development machine).
     */
    private static void store(float[] c, int co, int rows, int cols, MemorySegment b, long bOff, MemorySegment y,
                              long yAt, int ldy, int j0) {
        if (!ROW_VECTORS) {
            storeScalar(c, co, rows, cols, b, bOff, y, yAt, ldy, j0);
            return;
        }
        VectorMask<Float> m = ROW.indexInRange(0, cols);
        FloatVector bias = b == null ? FloatVector.zero(ROW)
                : FloatVector.fromMemorySegment(ROW, b, 4L * (bOff + j0), Simd.ORDER, m);
        for (int r = 0; r < rows; r++) {
            FloatVector v = FloatVector.fromArray(ROW, c, co + r, ROW_GATHER, 0, m).add(bias);
            v.intoMemorySegment(y, 4L * (yAt + (long) r * ldy), Simd.ORDER, m);
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

    /**
     * W's rows [0, cols) from wAt (row stride k), kc elements each, into {@code wp[i·KC + kk]} as float32, widened by
     * vectors; rows past cols zero.
     */
    private static void packW(MemorySegment w, long wAt, boolean bf16, int k, int kc, int cols, float[] wp) {
        int bound = bf16 && !Simd.BF16_VECTOR ? 0 : Simd.loopBound(kc);
        for (int i = 0; i < NB_PACKED; i++) {
            long row = wAt + (long) i * k;
            int at = i * KC, kk = 0;
            if (i >= cols) {
                java.util.Arrays.fill(wp, at, at + kc, 0f);
                continue;
            }
            for (; kk < bound; kk += Simd.L) {
                (bf16 ? Simd.loadBf16(w, row + kk) : Simd.load(w, row + kk)).intoArray(wp, at + kk);
            }
            for (; kk < kc; kk++) wp[at + kk] = Simd.getW(w, row + kk, bf16);
        }
    }

    /**
     * The packed register block (16 accumulators) over one depth block: c[co + i·NRW + r] = Σ_{kk < kc}
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
        for (int j = 0; j < NB_PACKED * NRW; j += Simd.L) load(c, co + j).add(load(t, j)).intoArray(c, co + j);
    }

    private static FloatVector load(float[] c, int at) {
        return FloatVector.fromArray(Simd.F, c, at);
    }

}
