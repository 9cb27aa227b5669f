// Matrix-vector products of the device-resident xLSTM Large (xlstm.runtime.cuda.DeviceLarge) for batch-1 decode
// steps: y[r] (+)= sum_c W[r][c] x[c], W bf16 (N x K row-major). A step reads every weight once and does two flops
// per weight, so the product is a stream through memory; what decides its speed is how many bytes are in flight.
// One warp per output row; each lane loads 16 bytes (8 weights) at a time, eight such loads (XL_GEMV_LOADS) before
// it uses any, past L1 (the weights are read once; x stays in L1 for all warps). Float32 accumulation; x float32 or
// bf16, so no conversion launch is needed before the product. No headers: compiled, after prelude.cu (XL_ENTRY, xl_bf16,
// xl_long), by NVRTC at run time and by nvcc in the tests. Contract (checked by the caller): K % 8 == 0, W and x
// 16-byte aligned.
// (Measured on the H200 against cuBLAS in the same run, GemvCheck: equal or faster at one row; at 8 rows, reading x
// once per row of x per chunk made it 2.5x slower, so larger batches stay on cuBLAS. 2026-11-29, 7B decode at batch
// 1, two rounds each: 4 loads 4.407 ms, 8 loads 4.351 ms; 2 warps a row 4.459 / 4.403 ms (not kept); the first batch
// read before the dependent-launch wait 4.443 against 4.508 ms, with an L2 prefetch one batch ahead 4.561 ms (not
// kept).)

struct __align__(16) xl_u4 { unsigned x, y, z, w; };

// 16 bytes of weights, not kept in L1
static __device__ __forceinline__ xl_u4 xl_stream16(const xl_u4* p) {
    xl_u4 v;
    asm("ld.global.nc.L1::no_allocate.v4.u32 {%0, %1, %2, %3}, [%4];"
                 : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w) : "l"(p));
    return v;
}

static __device__ __forceinline__ float xl_lo(unsigned w) { return __uint_as_float(w << 16); }
static __device__ __forceinline__ float xl_hi(unsigned w) { return __uint_as_float(w & 0xffff0000u); }

// 16 bytes of x through the read-only cache (kept: every warp reads the same x)
static __device__ __forceinline__ xl_u4 xl_cached16(const void* p) {
    xl_u4 v;
    asm("ld.global.nc.v4.u32 {%0, %1, %2, %3}, [%4];" : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w) : "l"(p));
    return v;
}

// the 8 x values of chunk c (elements 8c..8c+7) of row xr
template <bool XBF>
static __device__ __forceinline__ void xl_x8(const char* xr, int c, float* v) {
    if (XBF) {
        const xl_u4 u = xl_cached16(xr + 16 * (xl_long)c);
        v[0] = xl_lo(u.x); v[1] = xl_hi(u.x); v[2] = xl_lo(u.y); v[3] = xl_hi(u.y);
        v[4] = xl_lo(u.z); v[5] = xl_hi(u.z); v[6] = xl_lo(u.w); v[7] = xl_hi(u.w);
    } else {
        const xl_u4 a = xl_cached16(xr + 32 * (xl_long)c), b = xl_cached16(xr + 32 * (xl_long)c + 16);
        v[0] = __uint_as_float(a.x); v[1] = __uint_as_float(a.y); v[2] = __uint_as_float(a.z); v[3] = __uint_as_float(a.w);
        v[4] = __uint_as_float(b.x); v[5] = __uint_as_float(b.y); v[6] = __uint_as_float(b.z); v[7] = __uint_as_float(b.w);
    }
}

// acc += the 8 weights of w . chunk c of x
template <bool XBF>
static __device__ __forceinline__ float xl_fma8(const xl_u4& w, const char* x, int c, float acc) {
    float v[8];
    xl_x8<XBF>(x, c, v);
    acc = fmaf(xl_lo(w.x), v[0], acc); acc = fmaf(xl_hi(w.x), v[1], acc);
    acc = fmaf(xl_lo(w.y), v[2], acc); acc = fmaf(xl_hi(w.y), v[3], acc);
    acc = fmaf(xl_lo(w.z), v[4], acc); acc = fmaf(xl_hi(w.z), v[5], acc);
    acc = fmaf(xl_lo(w.w), v[6], acc); acc = fmaf(xl_hi(w.w), v[7], acc);
    return acc;
}

// the same load, kept in order with the dependent-launch wait (asm volatile): issued before the wait, it overlaps
// the previous kernel's tail, which a plain load the compiler could move past the wait would not
static __device__ __forceinline__ xl_u4 xl_stream16_early(const xl_u4* p) {
    xl_u4 v;
    asm volatile("ld.global.nc.L1::no_allocate.v4.u32 {%0, %1, %2, %3}, [%4];"
                 : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w) : "l"(p));
    return v;
}

// XL_GEMV_AHEAD (defined by the loader, GemvKernels): 1 issues each warp's first batch of loads before the
// dependent-launch wait (the weights never change while the stream runs, so reading them early is safe and overlaps
// the previous kernel's tail); 0 reads nothing before it. XL_GEMV_LOADS: 16-byte loads in flight per lane (4 or 8).
#ifndef XL_GEMV_AHEAD
#define XL_GEMV_AHEAD 1
#endif
#ifndef XL_GEMV_LOADS
#define XL_GEMV_LOADS 8
#endif
// XL_GEMV_<form>_LOADS, _BLOCKS and _PRE (the defaults of GemvKernels.defines, which says what they measured), form
// RMS, SWIGLU or HNG (the fused forms below): its loads in flight per lane; when not 0, the work-groups per SM its
// registers must allow; 1: its norm's weights (and HNG's o) read before the dependent-launch wait
#ifndef XL_GEMV_RMS_LOADS
#define XL_GEMV_RMS_LOADS XL_GEMV_LOADS
#endif
#ifndef XL_GEMV_SWIGLU_LOADS
#define XL_GEMV_SWIGLU_LOADS XL_GEMV_LOADS
#endif
#ifndef XL_GEMV_HNG_LOADS
#define XL_GEMV_HNG_LOADS XL_GEMV_LOADS
#endif
#ifndef XL_GEMV_HNG_PRE
#define XL_GEMV_HNG_PRE 1
#endif
#ifndef XL_GEMV_RMS_PRE
#define XL_GEMV_RMS_PRE 1
#endif
#ifndef XL_GEMV_SWIGLU_PRE
#define XL_GEMV_SWIGLU_PRE 1
#endif
#ifndef XL_GEMV_RMS_BLOCKS
#define XL_GEMV_RMS_BLOCKS 0
#endif
#ifndef XL_GEMV_SWIGLU_BLOCKS
#define XL_GEMV_SWIGLU_BLOCKS 0
#endif
#ifndef XL_GEMV_HNG_BLOCKS
#define XL_GEMV_HNG_BLOCKS 2
#endif
// the launch bound of a fused form with XL_GEMV_<form>_BLOCKS > 0 (none otherwise: even (256, 1) changes ptxas's
// register choice)
#if XL_GEMV_RMS_BLOCKS > 0
#define XL_BOUND_RMS __launch_bounds__(256, XL_GEMV_RMS_BLOCKS)
#else
#define XL_BOUND_RMS
#endif
#if XL_GEMV_SWIGLU_BLOCKS > 0
#define XL_BOUND_SWIGLU __launch_bounds__(256, XL_GEMV_SWIGLU_BLOCKS)
#else
#define XL_BOUND_SWIGLU
#endif
#if XL_GEMV_HNG_BLOCKS > 0
#define XL_BOUND_HNG __launch_bounds__(256, XL_GEMV_HNG_BLOCKS)
#else
#define XL_BOUND_HNG
#endif
// XL_GEMV_PREFETCH (GemvKernels): 1 lets the out product's fused form send its weights towards L2 before its wait
#ifndef XL_GEMV_PREFETCH
#define XL_GEMV_PREFETCH 1
#endif
#define XL_PF_L2(p) asm volatile("prefetch.global.L2 [%0];" :: "l"(p))

// one warp per row. Rows from capFrom on are soft-capped after the bias, cap * tanh(y / cap) (the gates of the fused
// projection: the soft-cap kernel's formula, softcap_rows of blocks/pointwise.xl). (Folding the RMS norm in here,
// each warp scaling x by g and summing the squares on its way through the row, made the decode step slower: 4.95
// against 4.39 ms; the fused forms below make x once per work-group instead.)
template <bool XBF>
static __device__ void xl_gemv(const xl_bf16* W, const void* x, const float* bias, int K, int N, float* y, xl_long ys,
        int accumulate, int capFrom, float cap) {
    constexpr int L = XL_GEMV_LOADS;
    const int lane = threadIdx.x & 31;
    const xl_long row = ((xl_long)blockIdx.x * blockDim.x + threadIdx.x) >> 5;
    const bool live = row < N;
    const xl_u4* wr = (const xl_u4*)(W + (live ? row : 0) * K);
    const char* xc = (const char*)x;
    const int nc = K / 8; // 16-byte chunks per row
    float acc = 0.0f;
    int c = lane;
    xl_u4 w[L];
    const bool batched = live && c + (L - 1) * 32 < nc;
    if (XL_GEMV_AHEAD >= 1 && batched) {
#pragma unroll
        for (int j = 0; j < L; j++) w[j] = xl_stream16_early(wr + c + j * 32);
    }
    XL_ENTRY();
    if (!live) return;
    if (batched) {
        if (XL_GEMV_AHEAD == 0) {
#pragma unroll
            for (int j = 0; j < L; j++) w[j] = xl_stream16(wr + c + j * 32);
        }
        for (;;) { // L loads in flight per lane
#pragma unroll
            for (int j = 0; j < L; j++) acc = xl_fma8<XBF>(w[j], xc, c + j * 32, acc);
            c += L * 32;
            if (c + (L - 1) * 32 >= nc) break;
#pragma unroll
            for (int j = 0; j < L; j++) w[j] = xl_stream16(wr + c + j * 32);
        }
    }
    for (; c < nc; c += 32) acc = xl_fma8<XBF>(xl_stream16(wr + c), xc, c, acc);
    for (int o = 16; o > 0; o >>= 1) acc += __shfl_xor_sync(0xffffffffu, acc, o);
    if (lane == 0) {
        float* at = y + row * ys;
        if (bias) acc += bias[row];
        if (row >= capFrom) acc = cap * tanhf(acc / cap);
        *at = accumulate ? *at + acc : acc;
    }
}

// y[r * ys] (+)= sum_c W[r][c] x[c] (+ bias[r] when bias is set) for r < N, one warp per r (blocks of whole warps),
// soft-capped from row capFrom on (N: none). The dependent-launch wait is inside (after the early loads).
extern "C" __global__ void xl_gemv_bf16(const xl_bf16* W, const void* x, int xBf16, const float* bias, int K, int N,
        float* y, xl_long ys, int accumulate, int capFrom, float cap) {
    if (xBf16) xl_gemv<true>(W, x, bias, K, N, y, ys, accumulate, capFrom, cap);
    else xl_gemv<false>(W, x, bias, K, N, y, ys, accumulate, capFrom, cap);
}

// ---- Fused forms for a batch-1 decode step: the product makes its own input x in shared memory first (a
// prologue run by every work-group), so the norm and gate launches before it go: the RMS norm (before the
// projection and before gate|up) and the head norm with the output gate (before the out product). gate|up also
// applies SwiGLU itself: a warp multiplies gate row r and up row r + N with the same x and writes silu(g) * u.
// The pointwise formulas are the generated kernels' (rmsnorm/headnorm of large_glue.cu, sigmoid_gate and ffn_swiglu
// of blocks/pointwise.xl); their sums run in a fixed order, so results do not change from run to run.
// Contract (GemvKernels.fusedFits): K % 128 == 0, K <= 16 * blockDim, norm groups of dh features where dh is a
// multiple of 128 or divides 128 (at least 32), 16-byte aligned.

#define XL_PRO_V 4   // vectors of 4 features a prologue thread holds: K <= XL_PRO_V * 4 * blockDim
#define XL_PRO_RMS 1 // x = rmsnorm(src) * w (+ b), rounded to bf16 as the RMS norm kernel writes it
#define XL_PRO_HNG 2 // x = sigmoid(o) * (layernorm of each dh features of src) * w (+ b)

static __device__ __forceinline__ float xl_round_bf16(float v) {
    unsigned short r;
    asm("cvt.rn.bf16.f32 %0, %1;" : "=h"(r) : "f"(v));
    return __uint_as_float(((unsigned)r) << 16);
}

static __device__ __forceinline__ float xl_warp_sum(float v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

// the sum over each aligned run of `lanes` lanes (a power of two up to 32), in every lane of the run
static __device__ __forceinline__ float xl_run_sum(float v, int lanes) {
    for (int o = lanes >> 1; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

// xs (K floats of shared memory) in two halves: xs[4c + k] = x[8c + k] and xs[K/2 + 4c + k] = x[8c + 4 + k], so the
// lanes' 16-byte reads of consecutive chunks are consecutive in shared memory
template <int PRO, bool PRE>
static __device__ void xl_prologue(float* xs, int K, const float* src, const float* w, const float* b,
        const float* o, float eps, int dh, const float4 (&pw)[XL_PRO_V], const float4 (&po)[XL_PRO_V]) {
    __shared__ float part[128];           // sums of runs of seg = min(dh, 128) features, in feature order
    __shared__ float stat[2][128];        // per group of dh features: RMS rstd, or layer-norm mean and rstd
    const int nv = K >> 2, bd = blockDim.x, lane = threadIdx.x & 31, groups = K / dh;
    const int seg = dh < 128 ? dh : 128, runLanes = seg >> 2, per = dh / seg;
    float4 v[XL_PRO_V];
#pragma unroll
    for (int i = 0; i < XL_PRO_V; i++) {
        const int idx = threadIdx.x + i * bd;
        v[i] = idx < nv ? ((const float4*)src)[idx] : make_float4(0.0f, 0.0f, 0.0f, 0.0f);
    }
#pragma unroll
    for (int i = 0; i < XL_PRO_V; i++) {
        const int idx = threadIdx.x + i * bd;
        float s = PRO == XL_PRO_RMS ? v[i].x * v[i].x + v[i].y * v[i].y + v[i].z * v[i].z + v[i].w * v[i].w
                                    : v[i].x + v[i].y + v[i].z + v[i].w;
        s = xl_run_sum(s, runLanes);
        if ((lane & (runLanes - 1)) == 0 && idx < nv) part[idx / runLanes] = s;
    }
    __syncthreads();
    for (int g = threadIdx.x; g < groups; g += bd) {
        float s = 0.0f;
        for (int c = 0; c < per; c++) s += part[g * per + c];
        stat[0][g] = PRO == XL_PRO_RMS ? rsqrtf(s / dh + eps) : s / dh;
    }
    __syncthreads();
    if (PRO == XL_PRO_HNG) {
        // the same two loops as above, for the variance: written out, as one helper for both sums took 6 more
        // registers in the RMS form and made a 7B step 0.4 % slower (4.158 against 4.142 ms, 3 rounds, 09:25 UTC)
#pragma unroll
        for (int i = 0; i < XL_PRO_V; i++) {
            const int idx = threadIdx.x + i * bd;
            const float m = stat[0][idx < nv ? (idx << 2) / dh : 0];
            float s = (v[i].x - m) * (v[i].x - m) + (v[i].y - m) * (v[i].y - m) + (v[i].z - m) * (v[i].z - m)
                    + (v[i].w - m) * (v[i].w - m);
            s = xl_run_sum(s, runLanes);
            if ((lane & (runLanes - 1)) == 0 && idx < nv) part[idx / runLanes] = s;
        }
        __syncthreads();
        for (int g = threadIdx.x; g < groups; g += bd) {
            float s = 0.0f;
            for (int c = 0; c < per; c++) s += part[g * per + c];
            stat[1][g] = rsqrtf(s / dh + eps);
        }
        __syncthreads();
    }
#pragma unroll
    for (int i = 0; i < XL_PRO_V; i++) {
        const int idx = threadIdx.x + i * bd;
        if (idx >= nv) continue;
        const float4 wv = PRE ? pw[i] : ((const float4*)w)[idx];
        const float4 bv = b ? ((const float4*)b)[idx] : make_float4(0.0f, 0.0f, 0.0f, 0.0f);
        float4 r;
        if (PRO == XL_PRO_RMS) {
            const float rs = stat[0][0];
            r.x = v[i].x * rs * wv.x; r.y = v[i].y * rs * wv.y; r.z = v[i].z * rs * wv.z; r.w = v[i].w * rs * wv.w;
            if (b) { r.x += bv.x; r.y += bv.y; r.z += bv.z; r.w += bv.w; }
            r.x = xl_round_bf16(r.x); r.y = xl_round_bf16(r.y); r.z = xl_round_bf16(r.z); r.w = xl_round_bf16(r.w);
        } else {
            const int g = (idx << 2) / dh;
            const float m = stat[0][g], rs = stat[1][g];
            r.x = (v[i].x - m) * rs * wv.x; r.y = (v[i].y - m) * rs * wv.y;
            r.z = (v[i].z - m) * rs * wv.z; r.w = (v[i].w - m) * rs * wv.w;
            if (b) { r.x += bv.x; r.y += bv.y; r.z += bv.z; r.w += bv.w; }
            const float4 ov = PRE ? po[i] : ((const float4*)o)[idx];
            r.x = (1.0f / (1.0f + expf(-ov.x))) * r.x; r.y = (1.0f / (1.0f + expf(-ov.y))) * r.y;
            r.z = (1.0f / (1.0f + expf(-ov.z))) * r.z; r.w = (1.0f / (1.0f + expf(-ov.w))) * r.w;
        }
        ((float4*)(xs + (idx & 1) * (K >> 1)))[idx >> 1] = r;
    }
    __syncthreads();
}

// acc += the 8 weights of w . the 8 x values in v
static __device__ __forceinline__ float xl_dot8(const xl_u4& w, const float4& a, const float4& b, float acc) {
    acc = fmaf(xl_lo(w.x), a.x, acc); acc = fmaf(xl_hi(w.x), a.y, acc);
    acc = fmaf(xl_lo(w.y), a.z, acc); acc = fmaf(xl_hi(w.y), a.w, acc);
    acc = fmaf(xl_lo(w.z), b.x, acc); acc = fmaf(xl_hi(w.z), b.y, acc);
    acc = fmaf(xl_lo(w.w), b.z, acc); acc = fmaf(xl_hi(w.w), b.w, acc);
    return acc;
}

// rows row, row + stride, ... < N of y = W x with x from the prologue; PAIR: also row + N, then y[row] =
// silu(bias'd row) * (bias'd row + N). The grid is at most what fits on the device at once, so every work-group
// runs its prologue once.
template <int PRO, bool PAIR, int L>
static __device__ void xl_gemv_fused(const xl_bf16* W, int K, int N, const float* src, const float* nw,
        const float* nb, const float* o, float eps, int dh, const float* bias, void* yv, int yBf16, int accumulate,
        int capFrom, float cap) {
    float* y = (float*)yv;
    extern __shared__ float4 xs4[];
    float* xs = (float*)xs4;
    const int lane = threadIdx.x & 31, half = K >> 3; // half: the second half's offset in float4s
    const xl_long stride = (xl_long)gridDim.x * (blockDim.x >> 5);
    xl_long row = (xl_long)blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    const int nc = K / 8;
    const bool batched = lane + (L - 1) * 32 < nc;
    xl_u4 w[L], w2[PAIR ? L : 1];
    bool early = XL_GEMV_AHEAD >= 1 && batched && row < N;
    if (early) {
        const xl_u4* wr = (const xl_u4*)(W + row * K);
#pragma unroll
        for (int j = 0; j < L; j++) w[j] = xl_stream16_early(wr + lane + j * 32);
        if (PAIR) {
            const xl_u4* wr2 = (const xl_u4*)(W + (row + N) * K);
#pragma unroll
            for (int j = 0; j < L; j++) w2[PAIR ? j : 0] = xl_stream16_early(wr2 + lane + j * 32);
        }
    }
    if (XL_GEMV_PREFETCH && PRO == XL_PRO_HNG) {
        // the out product follows the latency-bound cell: the rest of the warp's rows towards L2 while it runs
        for (xl_long r = row; r < N; r += stride) {
            const char* wr = (const char*)(W + r * K);
            for (int c = lane * 128 + (r == row && early ? L * 512 : 0); c < 2 * K; c += 32 * 128) XL_PF_L2(wr + c);
        }
    }
    // the norm's weights before the wait (XL_GEMV_<form>_PRE), and for the out form the output gate's o: the
    // projection wrote it two kernels back, and the cell between lets this kernel launch only after its own wait
    // for the projection (XL_ENTRY: wait, then launch_dependents), so o is complete and visible here
    constexpr bool PRE = PRO == XL_PRO_HNG ? XL_GEMV_HNG_PRE : PAIR ? XL_GEMV_SWIGLU_PRE : XL_GEMV_RMS_PRE;
    float4 pw[XL_PRO_V], po[XL_PRO_V];
    if (PRE) {
#pragma unroll
        for (int i = 0; i < XL_PRO_V; i++) {
            const int idx = threadIdx.x + i * blockDim.x;
            if (idx < (K >> 2)) {
                pw[i] = ((const float4*)nw)[idx];
                if (PRO == XL_PRO_HNG) po[i] = ((const float4*)o)[idx];
            }
        }
    }
    XL_ENTRY();
    xl_prologue<PRO, PRE>(xs, K, src, nw, nb, o, eps, dh, pw, po);
    for (; row < N; row += stride) {
        const xl_u4* wr = (const xl_u4*)(W + row * K);
        const xl_u4* wr2 = (const xl_u4*)(W + (row + (PAIR ? N : 0)) * K);
        float acc = 0.0f, acc2 = 0.0f;
        int c = lane;
        if (batched) {
            if (!early) {
#pragma unroll
                for (int j = 0; j < L; j++) w[j] = xl_stream16(wr + c + j * 32);
                if (PAIR) {
#pragma unroll
                    for (int j = 0; j < L; j++) w2[PAIR ? j : 0] = xl_stream16(wr2 + c + j * 32);
                }
            }
            for (;;) {
#pragma unroll
                for (int j = 0; j < L; j++) {
                    const float4 a = xs4[c + j * 32], b = xs4[half + c + j * 32];
                    acc = xl_dot8(w[j], a, b, acc);
                    if (PAIR) acc2 = xl_dot8(w2[PAIR ? j : 0], a, b, acc2);
                }
                c += L * 32;
                if (c + (L - 1) * 32 >= nc) break;
#pragma unroll
                for (int j = 0; j < L; j++) w[j] = xl_stream16(wr + c + j * 32);
                if (PAIR) {
#pragma unroll
                    for (int j = 0; j < L; j++) w2[PAIR ? j : 0] = xl_stream16(wr2 + c + j * 32);
                }
            }
        }
        early = false;
        for (; c < nc; c += 32) {
            const float4 a = xs4[c], b = xs4[half + c];
            acc = xl_dot8(xl_stream16(wr + c), a, b, acc);
            if (PAIR) acc2 = xl_dot8(xl_stream16(wr2 + c), a, b, acc2);
        }
        acc = xl_warp_sum(acc);
        if (PAIR) acc2 = xl_warp_sum(acc2);
        if (lane == 0) {
            if (bias) acc += bias[row];
            if (PAIR) {
                if (bias) acc2 += bias[row + N];
                const float a = acc / (1.0f + expf(-acc)) * acc2; // silu(g) * u
                if (yBf16) ((xl_bf16*)yv)[row] = (xl_bf16)(__float_as_uint(xl_round_bf16(a)) >> 16);
                else y[row] = a;
            } else {
                if (row >= capFrom) acc = cap * tanhf(acc / cap);
                y[row] = accumulate ? y[row] + acc : acc;
            }
        }
    }
}

#define XL_GEMV_FUSED_ARGS const xl_bf16* W, int K, int N, const float* src, const float* nw, const float* nb, \
        const float* o, float eps, int dh, const float* bias, void* y, int yBf16, int accumulate, int capFrom, float cap
#define XL_GEMV_FUSED_PASS W, K, N, src, nw, nb, o, eps, dh, bias, y, yBf16, accumulate, capFrom, cap

// y (+)= W rmsnorm(src): the projection after the mLSTM layer's norm (its gate rows soft-capped from capFrom)
extern "C" __global__ void XL_BOUND_RMS xl_gemv_rms_bf16(XL_GEMV_FUSED_ARGS) {
    xl_gemv_fused<XL_PRO_RMS, false, XL_GEMV_RMS_LOADS>(XL_GEMV_FUSED_PASS);
}

// y = silu(W_gate x) * (W_up x), x = rmsnorm(src): gate|up (rows N apart) and SwiGLU after the feed-forward's norm;
// y float32, or bf16 with yBf16 (only this form writes bf16)
extern "C" __global__ void XL_BOUND_SWIGLU xl_gemv_rms_swiglu_bf16(XL_GEMV_FUSED_ARGS) {
    xl_gemv_fused<XL_PRO_RMS, true, XL_GEMV_SWIGLU_LOADS>(XL_GEMV_FUSED_PASS);
}

// y (+)= W (sigmoid(o) * headnorm(src)): the out product after the cell
extern "C" __global__ void XL_BOUND_HNG xl_gemv_hngate_bf16(XL_GEMV_FUSED_ARGS) {
    xl_gemv_fused<XL_PRO_HNG, false, XL_GEMV_HNG_LOADS>(XL_GEMV_FUSED_PASS);
}
