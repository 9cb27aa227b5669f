// Products of a few rows (batched decode steps: 2 to 16 rows of x) with bf16 weights, for the device-resident xLSTM
// Large (xlstm.runtime.cuda.DeviceLarge): y[b][r] (+)= sum_k W[r][k] x[b][k], W bf16 (N x K row-major), x bf16 (B x K
// row-major). Like a batch-1 step, such a product reads every weight once and does little arithmetic per weight, so
// its speed is the bytes in flight. cuBLAS's choice for 2 and 4 rows is slow there (a 7B decode step at batch 2:
// 6.62 ms on cuBLAS, 4.98 with this kernel), for 8 and 16 fast (5.28 against 6.01 at 8), so DeviceLarge takes this
// kernel for a few rows only (RowsGemvKernels says how many). Here the tensor cores do the arithmetic (mma.m16n8k16, float32 accumulation): A is x (the 16 rows of
// the batch, rows past B zero), B is the transpose of 8 weight rows, so a warp reads each of its 8 weight rows once
// for every row of x. Each lane copies 32 contiguous bytes (16 weights) of its weight row per 64-feature slab into
// its own slots of a ring in shared memory (cp.async, past L1), XL_ROWS_STAGES slabs ahead, and reads them back when
// their turn comes: the bytes in flight then take shared memory, not registers, so more of them fit on an SM than a
// register ring allows (holding 4 slabs in registers, 74 registers a thread, read 7B gate|up at 8 rows at 2.6 TB/s
// against cuBLAS's 2.9; with more registers it was slower still). x (small, read by every warp) comes through the
// read-only cache when its slab's turn comes. (Loaded one slab ahead instead, 74 registers: decode at batch 2 5.311
// against 4.982 ms; with 4 stages 5.148. More stages, 8 or 12: slower, 5.462 and 5.589 against 4.996 ms. H200,
// 2026-11-29, 7B shape, 2 rounds each.)
// The order of the features inside a slab is permuted the same way for x and W (a lane's 16 consecutive features
// fill its fragment positions of the slab's four k16 steps), so each output is the same sum, in a fixed order: the
// results do not change from run to run.
// The warps of a work-group may split K (`split` of them per group of 8 weight rows, each a run of slabs) and
// add their parts through shared memory in a fixed order, so that small N still puts enough warps to work.
// No headers: compiled, after prelude.cu (XL_ENTRY, xl_bf16, xl_long), by NVRTC at run time and by nvcc in the
// tests. Contract (RowsGemvKernels.fits): 1 <= B <= 16, K % 64 == 0, N % 8 == 0 (SwiGLU: N % 4 == 0), W and x
// 16-byte aligned.

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
    asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};"
                 : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
                 : "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(b0), "r"(b1));
}

#ifndef XL_ROWS_STAGES
#define XL_ROWS_STAGES 6 // slabs in flight per warp (1 KB each, in shared memory)
#endif

// one slab's four k16 steps: lane (g, t) holds features 16t..16t+15 of the slab of x row g (xa), x row g + 8 (xb) and
// its weight row (w); step s takes the lane's feature pairs 2s (as k 2t, 2t+1) and 2s + 1 (as k 2t + 8, 2t + 9)
static __device__ __forceinline__ void xl_rows_slab(float* d, const xl_r4* xa, const xl_r4* xb, const xl_r4* w) {
    xl_rows_mma(d, xa[0].x, xb[0].x, xa[0].y, xb[0].y, w[0].x, w[0].y);
    xl_rows_mma(d, xa[0].z, xb[0].z, xa[0].w, xb[0].w, w[0].z, w[0].w);
    xl_rows_mma(d, xa[1].x, xb[1].x, xa[1].y, xb[1].y, w[1].x, w[1].y);
    xl_rows_mma(d, xa[1].z, xb[1].z, xa[1].w, xb[1].w, w[1].z, w[1].w);
}

// y (B rows of stride ldy) (+)= x W^T for W's N rows; with swiglu, W has 2N rows (gate rows, then up rows) and
// y[b][r] = silu(gate r) * (up r), float32 or (yBf16) bf16. split: warps per group of 8 weight columns (1, 2, 4 or
// 8), each a run of K's slabs. Dynamic shared memory: 8 warps x XL_ROWS_STAGES x 1 KB.
extern "C" __global__ void __launch_bounds__(256) xl_gemv_rows_bf16(const xl_bf16* W, const xl_bf16* x, int B, int K,
        int N, void* y, xl_long ldy, int yBf16, int accumulate, int swiglu, int split) {
    constexpr int S = XL_ROWS_STAGES;
    extern __shared__ xl_r4 ring[]; // [warp][stage][lane][2]
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, g = lane >> 2, t = lane & 3;
    const int groups = swiglu ? N / 4 : N / 8, perBlock = 8 / split;
    const int group = blockIdx.x * perBlock + warp / split, kpart = warp % split;
    const bool live = group < groups;
    // this lane's weight row: column g of the warp's 8 (SwiGLU: gate and up rows of 4 features, interleaved)
    const xl_long wrow = !live ? 0 : swiglu ? (g & 1 ? N : 0) + 4 * group + (g >> 1) : 8 * group + g;
    const int slabs = K / 64, s0 = slabs * kpart / split, s1 = slabs * (kpart + 1) / split;
    const xl_r4* wr = (const xl_r4*)(W + wrow * K) + 2 * t; // slab s: wr[8 s], wr[8 s + 1]
    const xl_r4* xa = (const xl_r4*)(x + (xl_long)g * K) + 2 * t;
    const xl_r4* xb = (const xl_r4*)(x + (xl_long)(g + 8) * K) + 2 * t;
    xl_r4* mine = ring + (xl_long)warp * S * 64 + 2 * lane; // stage i: mine[64 i], mine[64 i + 1]
    const bool hasA = g < B, hasB = g + 8 < B;
    // the first S slabs (a group each, empty past the run, so that the count of groups stays S ahead)
#pragma unroll
    for (int i = 0; i < S; i++) {
        if (live && s0 + i < s1) {
            xl_rows_copy16(mine + 64 * i, wr + 8 * (s0 + i));
            xl_rows_copy16(mine + 64 * i + 1, wr + 8 * (s0 + i) + 1);
        }
        xl_rows_commit();
    }
    XL_ENTRY(); // the weights never change while the stream runs: copied before the wait; x only after it
    float d[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    const xl_r4 zero = {0u, 0u, 0u, 0u};
    if (live) {
        int stage = 0;
        for (int sj = s0; sj < s1; sj++) {
            xl_rows_wait<S - 1>(); // this lane's copy of slab sj has landed (its own writes: no barrier needed)
            const xl_r4 w[2] = {mine[64 * stage], mine[64 * stage + 1]};
            xl_r4 a[2], b[2];
            a[0] = hasA ? xl_rows_x16(xa + 8 * sj) : zero; a[1] = hasA ? xl_rows_x16(xa + 8 * sj + 1) : zero;
            b[0] = hasB ? xl_rows_x16(xb + 8 * sj) : zero; b[1] = hasB ? xl_rows_x16(xb + 8 * sj + 1) : zero;
            xl_rows_slab(d, a, b, w);
            if (sj + S < s1) {
                xl_rows_copy16(mine + 64 * stage, wr + 8 * (sj + S));
                xl_rows_copy16(mine + 64 * stage + 1, wr + 8 * (sj + S) + 1);
            }
            xl_rows_commit();
            stage = stage + 1 == S ? 0 : stage + 1;
        }
    }
    xl_rows_wait<0>();
    if (split > 1) {
        // the group's parts, added in the order of kpart, through each lane's first ring slot (its own until the
        // barrier)
        float* slot = (float*)mine;
#pragma unroll
        for (int i = 0; i < 4; i++) slot[i] = d[i];
        __syncthreads();
        if (kpart != 0) return;
#pragma unroll
        for (int i = 0; i < 4; i++) {
            float s = 0.0f;
            for (int p = 0; p < split; p++) s += ((const float*)(mine + (xl_long)p * S * 64))[i];
            d[i] = s;
        }
    }
    if (!live) return;
    // lane (g, t): d0, d1 = row g of x, columns 2t and 2t + 1; d2, d3 = row g + 8, the same columns
#pragma unroll
    for (int h = 0; h < 2; h++) {
        const int b = g + 8 * h;
        if (b >= B) continue;
        const float c0 = d[2 * h], c1 = d[2 * h + 1];
        if (swiglu) {
            // columns 2t, 2t + 1: the gate and the up row of feature 4 group + t
            const xl_long at = b * ldy + 4 * group + t;
            const float v = c0 / (1.0f + expf(-c0)) * c1;
            if (yBf16) {
                unsigned short r;
                asm("cvt.rn.bf16.f32 %0, %1;" : "=h"(r) : "f"(v));
                ((xl_bf16*)y)[at] = r;
            } else ((float*)y)[at] = v;
        } else {
            float* yr = (float*)y + b * ldy + 8 * group + 2 * t;
            yr[0] = accumulate ? yr[0] + c0 : c0;
            yr[1] = accumulate ? yr[1] + c1 : c1;
        }
    }
}
