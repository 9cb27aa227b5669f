// Plumbing kernels of the device-resident xLSTM Large (xlstm.runtime.cuda.DeviceLarge): embedding lookup, RMS
// and per-head layer norms, the split of the fused projection into the cell's head layout, bias adds, bf16
// conversion, last-position gather and random weights for benchmarks (the next token's choice: choice.cu). The cell and the pointwise
// maths (soft-cap, output gate, SwiGLU) are the generated kernels; nothing here is a cell.
// No headers: compiled, after prelude.cu (XL_ENTRY, xl_bf16, xl_long), by NVRTC at run time and by nvcc in the tests.
// bf16 values are raw 16-bit words (the upper half of a float32); float32 maths throughout.

static __device__ __forceinline__ float xl_bf2f(xl_bf16 b) { return __uint_as_float(((unsigned)b) << 16); }

// round to nearest even, as torch's float -> bfloat16; NaN stays NaN
static __device__ __forceinline__ xl_bf16 xl_f2bf(float f) {
    unsigned u = __float_as_uint(f);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (xl_bf16)((u >> 16) | 0x40u);
    u += 0x7fffu + ((u >> 16) & 1u);
    return (xl_bf16)(u >> 16);
}

static __device__ __forceinline__ float xl_load(const void* p, xl_long i, int bf16) {
    return bf16 ? xl_bf2f(((const xl_bf16*)p)[i]) : ((const float*)p)[i];
}

// sum over the block (blockDim.x a multiple of 32, at most 1024); every thread gets the total
static __device__ float xl_block_sum(float v) {
    __shared__ float warps[32];
    __shared__ float total;
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    const int lane = threadIdx.x & 31, wid = threadIdx.x >> 5, nw = (blockDim.x + 31) >> 5;
    __syncthreads(); // the previous call's readers are done with warps[] and total
    if (lane == 0) warps[wid] = v;
    __syncthreads();
    if (wid == 0) {
        v = lane < nw ? warps[lane] : 0.0f;
        for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
        if (lane == 0) total = v;
    }
    __syncthreads();
    return total;
}

// x[r][j] = table[ids[r]][j] for r < rows, j < E (ids checked on the host)
extern "C" __global__ void xl_embed(const xl_long* ids, const void* table, int tableBf16, int E, int rows, float* x) {
    XL_ENTRY();
    const xl_long n = (xl_long)rows * E;
    for (xl_long p = (xl_long)blockIdx.x * blockDim.x + threadIdx.x; p < n; p += (xl_long)gridDim.x * blockDim.x) {
        const xl_long r = p / E, j = p % E;
        x[p] = xl_load(table, ids[r] * E + j, tableBf16);
    }
}

// elements per thread the norms' _rows forms keep in registers (for a prompt's many rows; GlueKernels.normBlock):
// rows of up to XL_NORM_REG x blockDim features are read once, all loads of a thread in flight together; longer
// rows take the loops. A decode step's few rows take the plain forms (a 7B step was 0.36 ms slower with _rows)
#define XL_NORM_REG 16

// the RMS norm of row `row` of x by the block's loops (x read twice)
static __device__ __forceinline__ void xl_rmsnorm_loops(const float* x, const float* w, const float* b, int E, float eps,
        void* y, int yBf16, xl_long row) {
    const float* xr = x + row * E;
    float ss = 0.0f;
    for (int j = threadIdx.x; j < E; j += blockDim.x) ss += xr[j] * xr[j];
    const float rstd = rsqrtf(xl_block_sum(ss) / E + eps);
    for (int j = threadIdx.x; j < E; j += blockDim.x) {
        float v = xr[j] * rstd * w[j];
        if (b) v += b[j];
        if (yBf16) ((xl_bf16*)y)[row * E + j] = xl_f2bf(v);
        else ((float*)y)[row * E + j] = v;
    }
}

// one block per row: y = x * rsqrt(mean(x^2) + eps) * w (+ b), written as float32 or bf16 (the next product's input)
extern "C" __global__ void xl_rmsnorm(const float* x, const float* w, const float* b, int E, float eps, void* y,
        int yBf16) {
    XL_ENTRY();
    xl_rmsnorm_loops(x, w, b, E, eps, y, yBf16, blockIdx.x);
}

static __device__ __forceinline__ bool xl_al16(const void* p) { return (((unsigned long long)p) & 15ull) == 0ull; }

// 4 floats to bf16 (nearest even, as xl_f2bf) in one 8-byte store
static __device__ __forceinline__ void xl_store4_bf16(xl_bf16* p, float4 v) {
    uint2 u;
    u.x = (unsigned)xl_f2bf(v.x) | ((unsigned)xl_f2bf(v.y) << 16);
    u.y = (unsigned)xl_f2bf(v.z) | ((unsigned)xl_f2bf(v.w) << 16);
    *(uint2*)p = u;
}

// the row (or head) in registers as XL_NORM_REG / 4 vectors of 4 consecutive features a thread: 16-byte loads, and
// 16- or 8-byte stores (one 4-byte load and store per feature had held these kernels to about half the bandwidth)
#define XL_NORM_V (XL_NORM_REG / 4)

// xl_rmsnorm for many rows: the row in registers (XL_NORM_REG)
extern "C" __global__ void xl_rmsnorm_rows(const float* x, const float* w, const float* b, int E, float eps, void* y,
        int yBf16) {
    XL_ENTRY();
    const xl_long row = blockIdx.x;
    const float* xr = x + row * E;
    if ((E & 3) == 0 && E <= 4 * XL_NORM_V * (int)blockDim.x && xl_al16(xr) && xl_al16(w) && (!b || xl_al16(b))
            && xl_al16(y)) { // (E % 4 == 0: every row of y then 8-byte (bf16) or 16-byte aligned)
        float4 v[XL_NORM_V];
        float ss = 0.0f;
        #pragma unroll
        for (int u = 0; u < XL_NORM_V; u++) {
            const int j = 4 * (threadIdx.x + u * blockDim.x);
            v[u] = j < E ? *(const float4*)(xr + j) : make_float4(0.0f, 0.0f, 0.0f, 0.0f);
            ss += v[u].x * v[u].x + v[u].y * v[u].y + v[u].z * v[u].z + v[u].w * v[u].w;
        }
        const float rstd = rsqrtf(xl_block_sum(ss) / E + eps);
        #pragma unroll
        for (int u = 0; u < XL_NORM_V; u++) {
            const int j = 4 * (threadIdx.x + u * blockDim.x);
            if (j < E) {
                const float4 g = *(const float4*)(w + j);
                float4 o = make_float4(v[u].x * rstd * g.x, v[u].y * rstd * g.y, v[u].z * rstd * g.z, v[u].w * rstd * g.w);
                if (b) { const float4 c = *(const float4*)(b + j); o.x += c.x; o.y += c.y; o.z += c.z; o.w += c.w; }
                if (yBf16) xl_store4_bf16((xl_bf16*)y + row * E + j, o);
                else *(float4*)((float*)y + row * E + j) = o;
            }
        }
        return;
    }
    if (E <= XL_NORM_REG * (int)blockDim.x) {
        float v[XL_NORM_REG];
        float ss = 0.0f;
        #pragma unroll
        for (int u = 0; u < XL_NORM_REG; u++) {
            const int j = threadIdx.x + u * blockDim.x;
            v[u] = j < E ? xr[j] : 0.0f;
            ss += v[u] * v[u];
        }
        const float rstd = rsqrtf(xl_block_sum(ss) / E + eps);
        #pragma unroll
        for (int u = 0; u < XL_NORM_REG; u++) {
            const int j = threadIdx.x + u * blockDim.x;
            if (j < E) {
                float o = v[u] * rstd * w[j];
                if (b) o += b[j];
                if (yBf16) ((xl_bf16*)y)[row * E + j] = xl_f2bf(o);
                else ((float*)y)[row * E + j] = o;
            }
        }
        return;
    }
    xl_rmsnorm_loops(x, w, b, E, eps, y, yBf16, row);
}

// the fused projection's rows (T = B*S tokens of R = 2 DQK + 2 DV + 2 NH features: q, k, v, o, i, f) plus its bias
// into the cell's layouts: q, k (B, NH, S, DHQK), v (B, NH, S, DHV), o (T, DV), gates (2, B, NH, S): i then f
extern "C" __global__ void xl_split_qkvo(const float* y, const float* bias, int T, int S, int NH, int DHQK, int DHV,
        float* q, float* k, float* v, float* o, float* gates) {
    XL_ENTRY();
    // one block per (token, segment): segment g < NH is query head g, then the key heads, the value heads, the o
    // heads, and last the 2 NH gates; the destination is worked out once per block, so a thread only adds and
    // stores (index divisions per element had made this copy compute-bound: 552 us per 7B block at 8192 tokens)
    const int DQK = NH * DHQK, DV = NH * DHV, nseg = 4 * NH + 1, R = 2 * DQK + 2 * DV + 2 * NH;
    const int t = blockIdx.x / nseg, g = blockIdx.x - t * nseg, bb = t / S, s = t - bb * S;
    const float* yr = y + (xl_long)t * R;
    int c0, n;
    float* d;
    if (g < NH) {
        c0 = g * DHQK; n = DHQK; d = q + (((xl_long)bb * NH + g) * S + s) * DHQK;
    } else if (g < 2 * NH) {
        c0 = DQK + (g - NH) * DHQK; n = DHQK; d = k + (((xl_long)bb * NH + g - NH) * S + s) * DHQK;
    } else if (g < 3 * NH) {
        c0 = 2 * DQK + (g - 2 * NH) * DHV; n = DHV; d = v + (((xl_long)bb * NH + g - 2 * NH) * S + s) * DHV;
    } else if (g < 4 * NH) {
        c0 = 2 * DQK + DV + (g - 3 * NH) * DHV; n = DHV; d = o + (xl_long)t * DV + (g - 3 * NH) * DHV;
    } else {
        for (int j = threadIdx.x; j < 2 * NH; j += blockDim.x) { // i gates then f gates
            const int c = 2 * DQK + 2 * DV + j, gate = j / NH, hd = j - gate * NH;
            gates[(((xl_long)gate * (T / S) + bb) * NH + hd) * S + s] = yr[c] + (bias ? bias[c] : 0.0f);
        }
        return;
    }
    for (int j = threadIdx.x; j < n; j += blockDim.x) d[j] = yr[c0 + j] + (bias ? bias[c0 + j] : 0.0f);
}

// the layer norm of one head's values src (token t, head hd) into hn by the block's loops (src read three times)
static __device__ __forceinline__ void xl_headnorm_loops(const float* src, const float* w, const float* b, int NH, int DHV,
        float eps, float* hn, xl_long t, int hd) {
    float sum = 0.0f;
    for (int j = threadIdx.x; j < DHV; j += blockDim.x) sum += src[j];
    const float mean = xl_block_sum(sum) / DHV;
    float ss = 0.0f;
    for (int j = threadIdx.x; j < DHV; j += blockDim.x) ss += (src[j] - mean) * (src[j] - mean);
    const float rstd = rsqrtf(xl_block_sum(ss) / DHV + eps);
    float* dst = hn + t * (xl_long)NH * DHV + (xl_long)hd * DHV;
    for (int j = threadIdx.x; j < DHV; j += blockDim.x) {
        const int f = hd * DHV + j;
        float val = (src[j] - mean) * rstd * w[f];
        if (b) val += b[f];
        dst[j] = val;
    }
}

// one block per (token, head): the multi-head layer norm of h (B, NH, S, DHV) into hn (T, NH*DHV), weight (+ bias)
// per feature
extern "C" __global__ void xl_headnorm(const float* h, const float* w, const float* b, int S, int NH, int DHV,
        float eps, float* hn) {
    XL_ENTRY();
    const xl_long blk = blockIdx.x; // (bb * S + s) * NH + hd
    const int hd = (int)(blk % NH);
    const xl_long t = blk / NH, bb = t / S, s = t % S;
    xl_headnorm_loops(h + ((bb * NH + hd) * S + s) * DHV, w, b, NH, DHV, eps, hn, t, hd);
}

// xl_headnorm for many rows of at most 128 vectors of 4 (DHV % 4 == 0, 16-byte aligned): a warp per (token, head)
// row, as many rows a block as it has warps, the sums by shuffles alone (a block of one warp per row, with the
// block-wide sums' barriers, had reached about 2 TB/s). GATE: the output gate in the same pass, y = sigmoid(o) * hn
// (o laid out as hn), with the generated sigmoid_gate kernels' formula and roundings: oBf16 reads o as bf16 and
// rounds hn to bf16 first, as the _bf16io twin reads the bf16 head norm; yBf16 writes y as bf16.
template <bool GATE>
static __device__ __forceinline__ void xl_headnorm_warp_row(const float* h, const float* w, const float* b, int S,
        int NH, int DHV, float eps, void* y, xl_long rows, int yBf16, const void* o, int oBf16) {
    const int lane = threadIdx.x & 31;
    const xl_long row = (xl_long)blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5); // (bb * S + s) * NH + hd
    if (row >= rows) return;
    const int hd = (int)(row % NH);
    const xl_long t = row / NH, bb = t / S, s = t % S;
    const float* src = h + ((bb * NH + hd) * S + s) * DHV;
    float4 v[XL_NORM_V];
    float sum = 0.0f;
    #pragma unroll
    for (int u = 0; u < XL_NORM_V; u++) {
        const int j = 4 * (lane + 32 * u);
        v[u] = j < DHV ? *(const float4*)(src + j) : make_float4(0.0f, 0.0f, 0.0f, 0.0f);
        sum += (v[u].x + v[u].y) + (v[u].z + v[u].w);
    }
    for (int k = 16; k > 0; k >>= 1) sum += __shfl_xor_sync(0xffffffffu, sum, k);
    const float mean = sum / DHV;
    float ss = 0.0f;
    #pragma unroll
    for (int u = 0; u < XL_NORM_V; u++) {
        const int j = 4 * (lane + 32 * u);
        if (j < DHV) {
            const float a = v[u].x - mean, c = v[u].y - mean, d = v[u].z - mean, e = v[u].w - mean;
            ss += a * a + c * c + d * d + e * e;
        }
    }
    for (int k = 16; k > 0; k >>= 1) ss += __shfl_xor_sync(0xffffffffu, ss, k);
    const float rstd = rsqrtf(ss / DHV + eps);
    const xl_long at = t * (xl_long)NH * DHV + (xl_long)hd * DHV; // hn's element of (t, hd, 0)
    #pragma unroll
    for (int u = 0; u < XL_NORM_V; u++) {
        const int j = 4 * (lane + 32 * u);
        if (j < DHV) {
            const int f = hd * DHV + j;
            const float4 g = *(const float4*)(w + f);
            float4 r = make_float4((v[u].x - mean) * rstd * g.x, (v[u].y - mean) * rstd * g.y,
                                   (v[u].z - mean) * rstd * g.z, (v[u].w - mean) * rstd * g.w);
            if (b) { const float4 c = *(const float4*)(b + f); r.x += c.x; r.y += c.y; r.z += c.z; r.w += c.w; }
            if (GATE) {
                float4 ov;
                if (oBf16) {
                    const uint2 q = *(const uint2*)((const xl_bf16*)o + at + j);
                    ov = make_float4(xl_bf2f((xl_bf16)(q.x & 0xffffu)), xl_bf2f((xl_bf16)(q.x >> 16)),
                                     xl_bf2f((xl_bf16)(q.y & 0xffffu)), xl_bf2f((xl_bf16)(q.y >> 16)));
                    r = make_float4(xl_bf2f(xl_f2bf(r.x)), xl_bf2f(xl_f2bf(r.y)), xl_bf2f(xl_f2bf(r.z)),
                                    xl_bf2f(xl_f2bf(r.w)));
                } else {
                    ov = *(const float4*)((const float*)o + at + j);
                }
                r = make_float4(1.0f / (1.0f + expf(-ov.x)) * r.x, 1.0f / (1.0f + expf(-ov.y)) * r.y,
                                1.0f / (1.0f + expf(-ov.z)) * r.z, 1.0f / (1.0f + expf(-ov.w)) * r.w);
            }
            if (yBf16) xl_store4_bf16((xl_bf16*)y + at + j, r);
            else *(float4*)((float*)y + at + j) = r;
        }
    }
}

// the warp form of the head norm alone; hnBf16 writes bf16 (for the output gate's bf16 twin)
extern "C" __global__ void xl_headnorm_warps(const float* h, const float* w, const float* b, int S, int NH, int DHV,
        float eps, void* hn, xl_long rows, int hnBf16) {
    XL_ENTRY();
    xl_headnorm_warp_row<false>(h, w, b, S, NH, DHV, eps, hn, rows, hnBf16, 0, 0);
}

// the warp form of the head norm and the output gate in one launch: y = sigmoid(o) * headnorm(h)
extern "C" __global__ void xl_headnorm_gate_warps(const float* h, const float* w, const float* b, int S, int NH,
        int DHV, float eps, void* y, xl_long rows, int yBf16, const void* o, int oBf16) {
    XL_ENTRY();
    xl_headnorm_warp_row<true>(h, w, b, S, NH, DHV, eps, y, rows, yBf16, o, oBf16);
}

// xl_headnorm for many rows: the head's values in registers (XL_NORM_REG)
extern "C" __global__ void xl_headnorm_rows(const float* h, const float* w, const float* b, int S, int NH, int DHV,
        float eps, float* hn) {
    XL_ENTRY();
    const xl_long blk = blockIdx.x; // (bb * S + s) * NH + hd
    const int hd = (int)(blk % NH);
    const xl_long t = blk / NH, bb = t / S, s = t % S;
    const float* src = h + ((bb * NH + hd) * S + s) * DHV;
    if (DHV <= XL_NORM_REG * (int)blockDim.x) {
        float v[XL_NORM_REG];
        float sum = 0.0f;
        #pragma unroll
        for (int u = 0; u < XL_NORM_REG; u++) {
            const int j = threadIdx.x + u * blockDim.x;
            v[u] = j < DHV ? src[j] : 0.0f;
            sum += v[u];
        }
        const float mean = xl_block_sum(sum) / DHV;
        float ss = 0.0f;
        #pragma unroll
        for (int u = 0; u < XL_NORM_REG; u++) {
            const int j = threadIdx.x + u * blockDim.x;
            if (j < DHV) ss += (v[u] - mean) * (v[u] - mean);
        }
        const float rstd = rsqrtf(xl_block_sum(ss) / DHV + eps);
        float* dst = hn + t * (xl_long)NH * DHV + (xl_long)hd * DHV;
        #pragma unroll
        for (int u = 0; u < XL_NORM_REG; u++) {
            const int j = threadIdx.x + u * blockDim.x;
            if (j < DHV) {
                const int f = hd * DHV + j;
                float val = (v[u] - mean) * rstd * w[f];
                if (b) val += b[f];
                dst[j] = val;
            }
        }
        return;
    }
    xl_headnorm_loops(src, w, b, NH, DHV, eps, hn, t, hd);
}

// y[p] += bias[feature of p]: y is (T, N) row-major, or (N, T) with featureMajor
extern "C" __global__ void xl_add_bias(float* y, const float* bias, int T, int N, int featureMajor) {
    XL_ENTRY();
    const xl_long n = (xl_long)T * N;
    for (xl_long p = (xl_long)blockIdx.x * blockDim.x + threadIdx.x; p < n; p += (xl_long)gridDim.x * blockDim.x) {
        y[p] += bias[featureMajor ? p / T : p % N];
    }
}

extern "C" __global__ void xl_to_bf16(const float* x, xl_bf16* y, xl_long n) {
    XL_ENTRY();
    for (xl_long p = (xl_long)blockIdx.x * blockDim.x + threadIdx.x; p < n; p += (xl_long)gridDim.x * blockDim.x) {
        y[p] = xl_f2bf(x[p]);
    }
}

// x's last position of each of B rows of S tokens: y (B, E)
extern "C" __global__ void xl_last_rows(const float* x, int B, int S, int E, float* y) {
    XL_ENTRY();
    const xl_long n = (xl_long)B * E;
    for (xl_long p = (xl_long)blockIdx.x * blockDim.x + threadIdx.x; p < n; p += (xl_long)gridDim.x * blockDim.x) {
        const xl_long bb = p / E, j = p % E;
        y[p] = x[(bb * S + S - 1) * E + j];
    }
}

// deterministic uniform(-scale, scale) weights from (seed, index): benchmarks need no download
static __device__ __forceinline__ float xl_uniform(unsigned long long seed, xl_long i) {
    unsigned long long z = seed + 0x9e3779b97f4a7c15ull * (unsigned long long)(i + 1);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return (float)(z >> 40) * (1.0f / 16777216.0f) * 2.0f - 1.0f;
}

extern "C" __global__ void xl_fill_uniform(void* w, int bf16, xl_long n, unsigned long long seed, float scale) {
    XL_ENTRY();
    for (xl_long p = (xl_long)blockIdx.x * blockDim.x + threadIdx.x; p < n; p += (xl_long)gridDim.x * blockDim.x) {
        const float val = xl_uniform(seed, p) * scale;
        if (bf16) ((xl_bf16*)w)[p] = xl_f2bf(val);
        else ((float*)w)[p] = val;
    }
}

extern "C" __global__ void xl_fill(float* w, xl_long n, float value) {
    XL_ENTRY();
    for (xl_long p = (xl_long)blockIdx.x * blockDim.x + threadIdx.x; p < n; p += (xl_long)gridDim.x * blockDim.x) {
        w[p] = value;
    }
}
