// Products of a few rows (batched decode steps: 2 to 16 rows of x) with bf16 weights, for the device-resident xLSTM
// Large (xlstm.runtime.cuda.DeviceLarge): y[b][r] (+)= sum_k W[r][k] x[b][k], W bf16 (N x K row-major), x bf16 (B x K
// row-major). Like a batch-1 step, such a product reads every weight once and does little arithmetic per weight, so
// its speed is the bytes in flight. cuBLAS's choice for such row counts is slow (a 7B decode step at batch 2: 6.65 ms
// on cuBLAS, 4.46 with this kernel), for 16 rows fast (5.87 against 6.23; at 8 rows it was once 5.29 against 5.37,
// later 5.38 against 5.22), so DeviceLarge takes this kernel for the counts RowsGemvKernels.useFor names.
// The tensor cores do the arithmetic (mma.m16n8k16, float32 accumulation): A is XL_ROWS_WTILES tiles of 16 weight
// rows per warp (rows g and g + 8 of a tile: two rows a lane), B is x's transpose, one n8 tile for up to 8 rows of x
// and a second one past 8; so a warp reads each weight once for every row of x, and x once per slab for 16 weight
// rows. Each lane copies 32 contiguous bytes (16 weights) of each of its rows per 64-feature slab into its own slots
// of a ring in shared memory (cp.async, past L1), XL_ROWS_STAGES slabs ahead, and reads them back when their turn
// comes: the bytes in flight take shared memory, not registers. x (small, read by every warp) comes through the
// read-only cache when its slab's turn comes.
// (Measured on the H200, 2026-11-29, 7B shapes, RowsGemvCheck and decode A/Bs in one run: the earlier form, x as A
// and 8 weight rows a warp as B with 6 stages, decoded batch 2 in 5.07 ms against 4.60, batch 15 in 7.38 against
// 7.07; 6 stages or 2 tiles a warp here were slower than 4 stages and 1 tile; weights held in a register ring were
// slower still. Loading x for both n tiles before the slab's products, with the mma not volatile so that the compiler
// may interleave them: batch 9 5.62 against 5.94 ms, batch 15 6.39 against 6.88, batch 2 unchanged.)
// The order of the features inside a slab is permuted the same way for x and W (a lane's 16 consecutive features
// fill its fragment positions of the slab's four k16 steps), so each output is the same sum, in a fixed order: the
// results do not change from run to run.
// The warps of a work-group may split K (`split` of them per group of weight rows, each a run of slabs) and add their
// parts through shared memory in a fixed order, so that small N still puts enough warps to work.
// No headers: compiled, after prelude.cu (XL_ENTRY, xl_bf16, xl_long), by NVRTC at run time and by nvcc in the
// tests. Contract (RowsGemvKernels.fits): 1 <= B <= 16, K % 64 == 0, W and x 16-byte aligned; any N; with parts,
// N - 2 qk - 2 vo even.

struct __align__(16) xl_r4 { unsigned x, y, z, w; };

// 16 bytes of weights from global to shared memory, not kept in L1 (issued before the dependent-launch wait for the
// first slabs: asm volatile keeps them there)
static __device__ __forceinline__ void xl_rows_copy16(void* dst, const void* src) {
    unsigned long long g;
    asm("cvta.to.shared.u64 %0, %1;" : "=l"(g) : "l"(dst));
    asm volatile("cp.async.cg.shared.global [%0], [%1], 16;" :: "r"((unsigned)g), "l"(src) : "memory");
}
static __device__ __forceinline__ void xl_rows_commit() { asm volatile("cp.async.commit_group;" ::: "memory"); }
// wait until at most n of this thread's copy groups are still in flight
template <int n>
static __device__ __forceinline__ void xl_rows_wait() { asm volatile("cp.async.wait_group %0;" :: "n"(n) : "memory"); }

// 16 bytes of x through the read-only cache (every warp reads the same x)
static __device__ __forceinline__ xl_r4 xl_rows_x16(const xl_r4* p) {
    xl_r4 v;
    asm("ld.global.nc.v4.u32 {%0, %1, %2, %3}, [%4];" : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w) : "l"(p));
    return v;
}

// d += a b: a 16 x 16 bf16 (row-major fragment), b 16 x 8 bf16 (column fragment), d 16 x 8 float32
static __device__ __forceinline__ void xl_rows_mma(float* d, unsigned a0, unsigned a1, unsigned a2, unsigned a3,
        unsigned b0, unsigned b1) {
    asm("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                 : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1));
}

#ifndef XL_ROWS_STAGES
#define XL_ROWS_STAGES 4 // slabs in flight per warp (2 KB a tile each, in shared memory)
#endif

#ifndef XL_ROWS_WTILES
#define XL_ROWS_WTILES 1 // tiles of 16 weight rows a warp
#endif

// one slab's four k16 steps: ra, rb the lane's 16 features of its weight rows g and g + 8, xv those of x's row g; step s
// takes the lane's feature pairs 2s (as k 2t, 2t + 1) and 2s + 1 (as k 2t + 8, 2t + 9)
static __device__ __forceinline__ void xl_rows_slab(float* d, const xl_r4* ra, const xl_r4* rb, const xl_r4* xv) {
    xl_rows_mma(d, ra[0].x, rb[0].x, ra[0].y, rb[0].y, xv[0].x, xv[0].y);
    xl_rows_mma(d, ra[0].z, rb[0].z, ra[0].w, rb[0].w, xv[0].z, xv[0].w);
    xl_rows_mma(d, ra[1].x, rb[1].x, ra[1].y, rb[1].y, xv[1].x, xv[1].y);
    xl_rows_mma(d, ra[1].z, rb[1].z, ra[1].w, rb[1].w, xv[1].z, xv[1].w);
}

// output v of the fused projection's row `row` for row b of x, into its part's layout (see parts below)
static __device__ __forceinline__ void xl_rows_part(int N, int row, int b, float v, float* pq, float* pk, float* pv,
        float* po, float* pi, float* pf, int qk, int vo, float cap) {
    const int ng = (N - 2 * qk - 2 * vo) / 2;
    if (row < qk) pq[(xl_long)b * qk + row] = v;
    else if (row < 2 * qk) pk[(xl_long)b * qk + row - qk] = v;
    else if (row < 2 * qk + vo) pv[(xl_long)b * vo + row - 2 * qk] = v;
    else if (row < 2 * qk + 2 * vo) po[(xl_long)b * vo + row - 2 * qk - vo] = v;
    else {
        const int j = row - 2 * qk - 2 * vo;
        const float c = cap > 0.0f ? cap * tanhf(v / cap) : v;
        if (j < ng) pi[(xl_long)b * ng + j] = c;
        else pf[(xl_long)b * ng + j - ng] = c;
    }
}

// y (B rows of stride ldy) (+)= x W^T for W's N rows; with swiglu, W has 2N rows (gate rows, then up rows) and
// y[b][r] = silu(gate r) * (up r), float32 or (yBf16) bf16: a tile's rows g are then the gate rows of features
// 8 tile + g, its rows g + 8 the matching up rows, so that a lane holds both halves of each of its outputs. Rows
// past N (a tile's tail) read row 0 and are not stored. split: warps per group of weight rows (1, 2, 4 or 8), each a
// run of K's slabs. bias (or null): added to each row's output (not with swiglu). parts (pq not null, not with
// swiglu): W is an mLSTM block's fused projection, its rows q (qk of them), k (qk), v (vo), o (vo), then the i and the
// f gates (the rest, half each), and a decode step's outputs go straight into the cell's layouts instead of y: row b
// of q at pq + b qk, and so on, the gates at pi + b ng and pf + b ng, soft-capped (cap * tanh(v / cap), the soft-cap
// kernel's formula) when cap > 0; so no split and no soft-cap launch follow. Dynamic shared memory: 8 warps x
// XL_ROWS_STAGES x XL_ROWS_WTILES x 2 KB.
extern "C" __global__ void __launch_bounds__(256) xl_gemv_rows_bf16(const xl_bf16* W, const xl_bf16* x, int B, int K,
        int N, void* y, xl_long ldy, int yBf16, int accumulate, int swiglu, int split, const float* bias, float* pq,
        float* pk, float* pv, float* po, float* pi, float* pf, int qk, int vo, float cap) {
    constexpr int S = XL_ROWS_STAGES, R = XL_ROWS_WTILES, Q = 4 * R; // Q: 16-byte slots a lane per stage
    // [warp][stage][tile][row half][lane][2]: each block of 8 rows x 128 bytes as in global memory (lane (g, t) at
    // 32 (4 g + t)), so that the copies of a slab reach L2 as whole lines (laid out [slot][lane] instead, each 16-byte
    // copy went to L2 as a request of its own, and each sector twice: the 7B products at 1.4-2.0 TB/s, against
    // 2.7-3.9 laid out so)
    extern __shared__ xl_r4 ring[];
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, g = lane >> 2, t = lane & 3;
    const int perTile = swiglu ? 8 : 16, tiles = (N + perTile - 1) / perTile, groups = (tiles + R - 1) / R;
    const int perBlock = 8 / split, group = blockIdx.x * perBlock + warp / split, kpart = warp % split;
    const bool live = group < groups;
    const int slabs = K / 64, s0 = slabs * kpart / split, s1 = slabs * (kpart + 1) / split;
    // the lane's two weight rows per tile and whether their outputs exist
    xl_long rowA[R], rowB[R];
    bool keepA[R], keepB[R];
#pragma unroll
    for (int r = 0; r < R; r++) {
        const int tile = group * R + r;
        if (swiglu) {
            const int f = 8 * tile + g;
            keepA[r] = keepB[r] = live && f < N;
            rowA[r] = keepA[r] ? f : 0; rowB[r] = keepA[r] ? (xl_long)N + f : 0;
        } else {
            const int a = 16 * tile + g, b = a + 8;
            keepA[r] = live && a < N; keepB[r] = live && b < N;
            rowA[r] = keepA[r] ? a : 0; rowB[r] = keepB[r] ? b : 0;
        }
    }
    xl_r4* mine = ring + (xl_long)warp * S * Q * 32 + 2 * lane; // stage i, tile r, half h, copy j: XL_RING_AT(i, r, h, j)
#define XL_RING_AT(i, r, h, j) mine[32 * Q * (i) + 64 * (2 * (r) + (h)) + (j)]
#define XL_W_ROW(r, h) ((const xl_r4*)(W + ((h) ? rowB[r] : rowA[r]) * K) + 2 * t)
// the lane's 32 bytes of slab sj of each of its rows into ring stage i
#define XL_RING_FILL(i, sj) \
    _Pragma("unroll") for (int r = 0; r < R; r++) \
        _Pragma("unroll") for (int h = 0; h < 2; h++) { \
            const xl_r4* src = XL_W_ROW(r, h) + 8 * (sj); \
            xl_rows_copy16(&XL_RING_AT(i, r, h, 0), src); \
            xl_rows_copy16(&XL_RING_AT(i, r, h, 1), src + 1); \
        }
#pragma unroll
    for (int i = 0; i < S; i++) {
        if (live && s0 + i < s1) { XL_RING_FILL(i, s0 + i) }
        xl_rows_commit();
    }
    XL_ENTRY(); // the weights never change while the stream runs: copied before the wait; x only after it
    float d[R][2][4];
#pragma unroll
    for (int r = 0; r < R; r++)
#pragma unroll
        for (int q = 0; q < 2; q++) { d[r][q][0] = 0.0f; d[r][q][1] = 0.0f; d[r][q][2] = 0.0f; d[r][q][3] = 0.0f; }
    const xl_r4 zero = {0u, 0u, 0u, 0u};
    const bool hasA = g < B, hasB = g + 8 < B, two = B > 8;
    const xl_r4* xa = (const xl_r4*)(x + (xl_long)g * K) + 2 * t;
    const xl_r4* xb = (const xl_r4*)(x + (xl_long)(g + 8) * K) + 2 * t;
    if (live) {
        int stage = 0;
        for (int sj = s0; sj < s1; sj++) {
            xl_rows_wait<S - 1>(); // this lane's copies of slab sj have landed (its own writes: no barrier needed)
            xl_r4 w[R][2][2];
#pragma unroll
            for (int r = 0; r < R; r++)
#pragma unroll
                for (int h = 0; h < 2; h++) {
                    w[r][h][0] = XL_RING_AT(stage, r, h, 0);
                    w[r][h][1] = XL_RING_AT(stage, r, h, 1);
                }
            // both n tiles' x before any product, so that their loads are in flight together
            xl_r4 a[2], b[2];
            a[0] = hasA ? xl_rows_x16(xa + 8 * sj) : zero; a[1] = hasA ? xl_rows_x16(xa + 8 * sj + 1) : zero;
            b[0] = hasB ? xl_rows_x16(xb + 8 * sj) : zero; b[1] = hasB ? xl_rows_x16(xb + 8 * sj + 1) : zero;
#pragma unroll
            for (int r = 0; r < R; r++) xl_rows_slab(d[r][0], w[r][0], w[r][1], a);
            if (two) {
#pragma unroll
                for (int r = 0; r < R; r++) xl_rows_slab(d[r][1], w[r][0], w[r][1], b);
            }
            if (sj + S < s1) { XL_RING_FILL(stage, sj + S) }
            xl_rows_commit();
            stage = stage + 1 == S ? 0 : stage + 1;
        }
    }
#undef XL_W_ROW
#undef XL_RING_FILL
    xl_rows_wait<0>();
    if (split > 1) {
        // the group's parts, added in the order of kpart, through the lane's first slots (its own until the barrier)
#pragma unroll
        for (int r = 0; r < R; r++)
#pragma unroll
            for (int q = 0; q < 2; q++) {
                xl_r4 v;
                v.x = __float_as_uint(d[r][q][0]); v.y = __float_as_uint(d[r][q][1]);
                v.z = __float_as_uint(d[r][q][2]); v.w = __float_as_uint(d[r][q][3]);
                XL_RING_AT(0, r, q, 0) = v;
            }
        __syncthreads();
        if (kpart != 0) return;
#pragma unroll
        for (int r = 0; r < R; r++)
#pragma unroll
            for (int q = 0; q < 2; q++) {
                float s[4] = {0.0f, 0.0f, 0.0f, 0.0f};
                for (int p = 0; p < split; p++) {
                    const xl_r4 v = mine[(xl_long)p * S * Q * 32 + 64 * (2 * r + q)];
                    s[0] += __uint_as_float(v.x); s[1] += __uint_as_float(v.y);
                    s[2] += __uint_as_float(v.z); s[3] += __uint_as_float(v.w);
                }
                d[r][q][0] = s[0]; d[r][q][1] = s[1]; d[r][q][2] = s[2]; d[r][q][3] = s[3];
            }
    }
    if (!live) return;
    // lane (g, t), n tile q: d0, d1 = weight row g, rows of x 8q + 2t and 8q + 2t + 1; d2, d3 = weight row g + 8
#pragma unroll
    for (int r = 0; r < R; r++)
#pragma unroll
        for (int q = 0; q < 2; q++)
#pragma unroll
            for (int c = 0; c < 2; c++) {
                const int b = 8 * q + 2 * t + c;
                if (b >= B) continue;
                const float va = d[r][q][c], vb = d[r][q][2 + c];
                if (swiglu) {
                    if (!keepA[r]) continue;
                    const xl_long at = b * ldy + rowA[r];
                    const float v = va / (1.0f + expf(-va)) * vb;
                    if (yBf16) {
                        unsigned short o;
                        asm("cvt.rn.bf16.f32 %0, %1;" : "=h"(o) : "f"(v));
                        ((xl_bf16*)y)[at] = o;
                    } else ((float*)y)[at] = v;
                } else if (pq) {
                    if (keepA[r]) xl_rows_part(N, (int)rowA[r], b, va + (bias ? bias[rowA[r]] : 0.0f), pq, pk, pv, po, pi, pf, qk, vo, cap);
                    if (keepB[r]) xl_rows_part(N, (int)rowB[r], b, vb + (bias ? bias[rowB[r]] : 0.0f), pq, pk, pv, po, pi, pf, qk, vo, cap);
                } else {
                    float* yr = (float*)y + b * ldy;
                    const float ua = va + (bias && keepA[r] ? bias[rowA[r]] : 0.0f);
                    const float ub = vb + (bias && keepB[r] ? bias[rowB[r]] : 0.0f);
                    if (keepA[r]) yr[rowA[r]] = accumulate ? yr[rowA[r]] + ua : ua;
                    if (keepB[r]) yr[rowB[r]] = accumulate ? yr[rowB[r]] + ub : ub;
                }
            }
}
#undef XL_RING_AT
