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

// one warp per row. Rows from capFrom on are soft-capped after the bias, cap * tanh(y / cap) (the gates of the fused
// projection: the soft-cap kernel's formula, softcap_rows of blocks/pointwise.xl). (Folding the RMS norm before the
// product in as well, x * g with the squares summed on the way, made the decode step slower: 4.95 against 4.39 ms.)
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
