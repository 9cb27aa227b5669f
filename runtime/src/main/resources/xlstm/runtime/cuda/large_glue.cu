// Plumbing kernels of the device-resident xLSTM Large (xlstm.runtime.cuda.DeviceLarge): embedding lookup, RMS
// and per-head layer norms, the split of the fused projection into the cell's head layout, bias adds, bf16
// conversion, arg-max, last-position gather and random weights for benchmarks. The cell and the pointwise
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

// whether (ov, oi) beats (mv, mi) for arg-max: a NaN beats a number, then the larger value, ties the first index
// (-1: none yet). A total order on the pairs, so the reductions may combine them in any order.
static __device__ __forceinline__ bool xl_am_beats(float ov, int oi, float mv, int mi) {
    if (oi < 0) return false;
    if (mi < 0) return true;
    if ((ov != ov) != (mv != mv)) return ov != ov;
    if (ov == mv || (ov != ov && mv != mv)) return oi < mi;
    return ov > mv;
}

// one block per row of V logits: the first index of the maximum of the row's first N (a NaN counts as the maximum,
// as torch.argmax; N < V leaves out embedding rows the tokenizer has no token for). Each thread scans 16-byte
// vectors of the row where it is aligned (four loads in flight), then warp shuffles and one shared-memory round
// combine the threads' bests. (Element by element with a shared-memory tree it took 14.5 us for 50304 logits on
// the H200, Nsight Compute, 2026-11-29.)
extern "C" __global__ void xl_argmax(const float* logits, int V, int N, xl_long* ids) {
    XL_ENTRY();
    __shared__ float wv[32];
    __shared__ int wi[32];
    const float* row = logits + (xl_long)blockIdx.x * V;
    float bv = 0.0f;
    int bi = -1;
    const bool vec = (V & 3) == 0 && (((unsigned long long)row) & 15) == 0;
    if (vec) {
        const float4* r4 = (const float4*)row;
        const int nv = N >> 2, bd = blockDim.x;
        for (int j0 = threadIdx.x; j0 < nv; j0 += 4 * bd) {
            float4 x[4]; // all four loads before any compare
#pragma unroll
            for (int u = 0; u < 4; u++) if (j0 + u * bd < nv) x[u] = r4[j0 + u * bd];
#pragma unroll
            for (int u = 0; u < 4; u++) {
                if (j0 + u * bd >= nv) break;
                const int j = 4 * (j0 + u * bd);
                if (xl_am_beats(x[u].x, j, bv, bi)) { bv = x[u].x; bi = j; }
                if (xl_am_beats(x[u].y, j + 1, bv, bi)) { bv = x[u].y; bi = j + 1; }
                if (xl_am_beats(x[u].z, j + 2, bv, bi)) { bv = x[u].z; bi = j + 2; }
                if (xl_am_beats(x[u].w, j + 3, bv, bi)) { bv = x[u].w; bi = j + 3; }
            }
        }
        for (int j = 4 * nv + threadIdx.x; j < N; j += bd) { // the last N mod 4
            if (xl_am_beats(row[j], j, bv, bi)) { bv = row[j]; bi = j; }
        }
    } else {
        for (int j = threadIdx.x; j < N; j += blockDim.x) {
            if (xl_am_beats(row[j], j, bv, bi)) { bv = row[j]; bi = j; }
        }
    }
    for (int o = 16; o > 0; o >>= 1) {
        const float ov = __shfl_xor_sync(0xffffffffu, bv, o);
        const int oi = __shfl_xor_sync(0xffffffffu, bi, o);
        if (xl_am_beats(ov, oi, bv, bi)) { bv = ov; bi = oi; }
    }
    const int warp = threadIdx.x >> 5, warps = (blockDim.x + 31) >> 5;
    if ((threadIdx.x & 31) == 0) { wv[warp] = bv; wi[warp] = bi; }
    __syncthreads();
    if (warp == 0) {
        bv = threadIdx.x < warps ? wv[threadIdx.x] : 0.0f;
        bi = threadIdx.x < warps ? wi[threadIdx.x] : -1;
        for (int o = 16; o > 0; o >>= 1) {
            const float ov = __shfl_xor_sync(0xffffffffu, bv, o);
            const int oi = __shfl_xor_sync(0xffffffffu, bi, o);
            if (xl_am_beats(ov, oi, bv, bi)) { bv = ov; bi = oi; }
        }
        if (threadIdx.x == 0) ids[blockIdx.x] = bi < 0 ? 0 : bi;
    }
}

// the sampler's order of logits (xlstm.runtime.generation.Sampler's keys), as an unsigned integer that grows with
// the logit: larger first, a NaN as -inf
static __device__ __forceinline__ unsigned xl_tk_key(float x) {
    const unsigned b = x != x ? 0xff800000u : __float_as_uint(x);
    return (b & 0x80000000u) ? ~b : (b | 0x80000000u);
}

// one block of 1024 threads per row of V logits: the K largest of the row's first N in the sampler's order (ties:
// the smaller ids), 1 <= K <= N, unordered, into vals and idx (K a row; the logits as they are, NaN included). A
// radix select finds the K-th largest key, 8 bits a pass from the top (256-bin histograms of the keys that match
// the bits found so far); then each thread writes the keys above it and its share of the ties at it from a
// contiguous range of ids, placed by prefix sums over the threads, so that the ties taken are the first ones.
// Top-k sampling reads K values and ids a row instead of the row's logits.
extern "C" __global__ void xl_topk(const float* logits, int V, int N, int K, float* vals, int* idx) {
    XL_ENTRY();
    __shared__ unsigned hist[256];
    __shared__ unsigned sPrefix, sNeed; // the key's bits found so far; how many keys at them are still to take
    __shared__ int sumG[1024], sumE[1024];
    const float* row = logits + (xl_long)blockIdx.x * V;
    const int t = threadIdx.x, bd = blockDim.x;
    if (t == 0) { sPrefix = 0u; sNeed = (unsigned)K; }
    for (int shift = 24; shift >= 0; shift -= 8) {
        for (int b = t; b < 256; b += bd) hist[b] = 0u;
        __syncthreads();
        const unsigned prefix = sPrefix, high = shift == 24 ? 0u : 0xffffffffu << (shift + 8);
        for (int j = t; j < N; j += bd) {
            const unsigned k = xl_tk_key(row[j]);
            if ((k & high) == prefix) atomicAdd(&hist[(k >> shift) & 255u], 1u);
        }
        __syncthreads();
        if (t == 0) {
            unsigned above = 0u;
            int d = 255;
            for (; d > 0; d--) {
                if (above + hist[d] >= sNeed) break;
                above += hist[d];
            }
            sPrefix = prefix | ((unsigned)d << shift);
            sNeed -= above;
        }
        __syncthreads();
    }
    const unsigned kth = sPrefix;
    const int ties = (int)sNeed, over = K - ties; // keys equal to the K-th to take; keys above it
    const int chunk = (N + bd - 1) / bd, j0 = min(N, t * chunk), j1 = min(N, j0 + chunk);
    int g = 0, e = 0;
    for (int j = j0; j < j1; j++) {
        const unsigned k = xl_tk_key(row[j]);
        g += k > kth;
        e += k == kth;
    }
    sumG[t] = g;
    sumE[t] = e;
    __syncthreads();
    for (int o = 1; o < bd; o <<= 1) { // inclusive prefix sums over the threads
        const int pg = t >= o ? sumG[t - o] : 0, pe = t >= o ? sumE[t - o] : 0;
        __syncthreads();
        sumG[t] += pg;
        sumE[t] += pe;
        __syncthreads();
    }
    int og = sumG[t] - g, oe = sumE[t] - e;
    float* vr = vals + (xl_long)blockIdx.x * K;
    int* ir = idx + (xl_long)blockIdx.x * K;
    for (int j = j0; j < j1; j++) {
        const float x = row[j];
        const unsigned k = xl_tk_key(x);
        if (k > kth) { vr[og] = x; ir[og] = j; og++; }
        else if (k == kth) {
            if (oe < ties) { vr[over + oe] = x; ir[over + oe] = j; }
            oe++;
        }
    }
}

// ---- a draw of the host sampler on the device (xlstm.runtime.generation.Sampler without a repetition penalty) ----
// A row is drawn by CL work-groups of 1024 threads: one (xl_sample), or a thread-block cluster of XL_DRAW_CLUSTER
// on sm_90 (xl_sample_cluster), each work-group taking a contiguous share of the row's ids and reading the others'
// partial sums and histograms from their shared memory (one work-group a row left a draw of top-p 0.95 over the 7B
// vocabulary at 266 us, issue-bound on one SM). Weights exp((x - max) / T) are computed in double, as fixed-point
// integers of 2^-S (S = 63 - bits(N), so that N of them sum below 2^63): every sum is exact and the same whatever
// order the threads and work-groups add in, so a draw does not depend on timing or on CL. Sorted order is the
// sampler's: keys (xl_tk_key) descending, ties by ids ascending.

#ifndef XL_DRAW_CLUSTER // the loader defines it (GlueKernels.DRAW_CLUSTER); 8 (the portable largest) alone
#define XL_DRAW_CLUSTER 8
#endif

static __device__ __forceinline__ float xl_key_value(unsigned k) { // xl_tk_key's inverse (a NaN came out -inf)
    return __uint_as_float((k & 0x80000000u) ? (k & 0x7fffffffu) : ~k);
}

static __device__ __forceinline__ unsigned long long xl_warp_sum_u64(unsigned long long v) {
    for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
    return v;
}

static __device__ __forceinline__ unsigned long long xl_warp_max_u64(unsigned long long v) {
    for (int o = 16; o > 0; o >>= 1) {
        const unsigned long long w = __shfl_xor_sync(0xffffffffu, v, o);
        v = w > v ? w : v;
    }
    return v;
}

// inclusive prefix sum over the lanes
static __device__ __forceinline__ unsigned long long xl_warp_scan_u64(unsigned long long v) {
    const int lane = threadIdx.x & 31;
    for (int o = 1; o < 32; o <<= 1) {
        const unsigned long long w = __shfl_up_sync(0xffffffffu, v, o);
        if (lane >= o) v += w;
    }
    return v;
}

// sum (or maximum) over a block of exactly 1024 threads; every thread gets it; red: 32 shared words
static __device__ unsigned long long xl_block_reduce_u64(unsigned long long v, bool max, unsigned long long* red) {
    v = max ? xl_warp_max_u64(v) : xl_warp_sum_u64(v);
    __syncthreads(); // the previous call's readers are done with red
    if ((threadIdx.x & 31) == 0) red[threadIdx.x >> 5] = v;
    __syncthreads();
    v = red[threadIdx.x & 31];
    return max ? xl_warp_max_u64(v) : xl_warp_sum_u64(v);
}

// the cluster (CL 1: the work-group alone): this work-group's rank, a barrier of all its threads (release/acquire:
// shared memory written before it is seen by every work-group after it), and a u64 of work-group rank's shared
// memory at the place p has in ours
template <int CL>
static __device__ __forceinline__ unsigned xl_cl_rank() {
    if (CL == 1) return 0u;
    unsigned r;
    asm volatile("mov.u32 %0, %%cluster_ctarank;" : "=r"(r));
    return r;
}

template <int CL>
static __device__ __forceinline__ void xl_cl_sync() {
    if (CL == 1) { __syncthreads(); return; }
    asm volatile("barrier.cluster.arrive.release.aligned;\n\tbarrier.cluster.wait.acquire.aligned;" ::: "memory");
}

template <int CL>
static __device__ __forceinline__ unsigned long long xl_cl_load(const unsigned long long* p, unsigned rank) {
    if (CL == 1) return *(const volatile unsigned long long*)p;
    unsigned long long g;
    asm("cvta.to.shared.u64 %0, %1;" : "=l"(g) : "l"(p));
    unsigned a;
    asm volatile("mapa.shared::cluster.u32 %0, %1, %2;" : "=r"(a) : "r"((unsigned)g), "r"(rank));
    unsigned long long v;
    asm volatile("ld.shared::cluster.u64 %0, [%1];" : "=l"(v) : "r"(a) : "memory");
    return v;
}

// what an element adds to a walk: its weight, its weight where its key is K, or 1 where its key is K
enum { XL_WALK_WEIGHT = 0, XL_WALK_WEIGHT_AT_KEY = 1, XL_WALK_COUNT_AT_KEY = 2 };

struct XlFound { int id; unsigned long long through; }; // an element, and the running sum through it

struct XlSampleShared {
    unsigned long long red[32];
    unsigned long long hist[2][2048]; // a pass's histogram, two in turn: the other work-groups read the last one
    unsigned long long lanes[32][32]; // each warp's terms, summed by digit (xl_hist_add)
    unsigned long long group[32];     // a pass's sums over each warp's digits
    unsigned long long part[2];       // this work-group's value of an exchange (xl_gather), two in turn
    unsigned long long found[2];      // a walk's id and sum through it, when the crossing is in our ids
    unsigned long long before;
    unsigned prefix;
};

// one row's share of one work-group: ids lo..hi-1 of the row (q: the row's weights), and the turns taken so far of
// the double-buffered exchanges (the same in every thread)
struct XlShare {
    const float* row;
    unsigned long long* q;
    int lo, hi;
    unsigned rank;
    int ex, hp;
};

// every work-group's v (uniform over its threads): lane r of every warp gets rank r's (r < CL), the other lanes 0.
// One cluster barrier: a slot is written again two exchanges later, when every reader has passed a barrier since.
template <int CL>
static __device__ unsigned long long xl_gather(unsigned long long v, XlShare& s, XlSampleShared& sh) {
    const int lane = threadIdx.x & 31;
    if (CL == 1) return lane == 0 ? v : 0ull;
    const int slot = s.ex++ & 1;
    if (threadIdx.x == 0) sh.part[slot] = v;
    xl_cl_sync<CL>();
    return lane < CL ? xl_cl_load<CL>(&sh.part[slot], (unsigned)lane) : 0ull;
}

// hist[d] += f for each lane of the warp (d XL_NO_DIGIT: nothing), one atomic per distinct digit: a warp whose
// lanes share a digit sums with shuffles, else the lanes that share a digit are summed through shared memory by
// the first of them. (An atomic per lane took 150 us a pass over 50277 logits with 8-bit digits, as the first
// pass's digits, a float's sign and top exponent bits, were nearly all alike.)
#define XL_NO_DIGIT 0xffffffffu
static __device__ __forceinline__ void xl_hist_add(XlSampleShared& sh, unsigned long long* hist, unsigned d,
        unsigned long long f) {
    const int lane = threadIdx.x & 31, wid = threadIdx.x >> 5;
    const unsigned d0 = __shfl_sync(0xffffffffu, d, 0);
    if (__all_sync(0xffffffffu, d == d0)) { // one digit, or none (most lanes after the first pass)
        if (d0 == XL_NO_DIGIT) return;
        f = xl_warp_sum_u64(f);
        if (lane == 0) atomicAdd(&hist[d0], f);
        return;
    }
    const unsigned peers = __match_any_sync(0xffffffffu, d);
    sh.lanes[wid][lane] = f;
    __syncwarp();
    if (d != XL_NO_DIGIT && lane == __ffs(peers) - 1) {
        unsigned long long s = 0;
        for (unsigned m = peers; m; m &= m - 1) s += sh.lanes[wid][__ffs(m) - 1];
        atomicAdd(&hist[d], s);
    }
    __syncwarp();
}

static __device__ __forceinline__ unsigned long long xl_walk_term(int mode, const XlShare& s, int j, unsigned key) {
    if (mode == XL_WALK_WEIGHT) return s.q[j];
    if (xl_tk_key(s.row[j]) != key) return 0ull;
    return mode == XL_WALK_WEIGHT_AT_KEY ? s.q[j] : 1ull;
}

// the first id (ascending) at which the running sum of the terms over the row exceeds target (id -1 if none does):
// the work-groups' sums place the crossing in one work-group's ids; there each warp sums a contiguous range, the
// warps' sums place it in one range; in it each lane sums a contiguous part, the lanes' sums place it in one part,
// and that lane walks it (independent loads wherever it can: a walk 32 ids at a time waited for L2 at every step)
template <int CL>
static __device__ XlFound xl_walk(int mode, XlShare& s, unsigned key, unsigned long long target, XlSampleShared& sh) {
    const int lane = threadIdx.x & 31, wid = threadIdx.x >> 5;
    const int n = s.hi - s.lo, seg = (n + 31) / 32, s0 = s.lo + min(n, wid * seg), s1 = min(s.hi, s0 + seg);
    unsigned long long sum = 0;
    for (int j = s0 + lane; j < s1; j += 32) sum += xl_walk_term(mode, s, j, key);
    sum = xl_warp_sum_u64(sum);
    __syncthreads(); // the last call's readers are done with red
    if (lane == 0) sh.red[wid] = sum;
    __syncthreads();
    const unsigned long long mine = sh.red[lane], incl = xl_warp_scan_u64(mine);
    const unsigned long long ours = __shfl_sync(0xffffffffu, incl, 31);
    const unsigned long long each = xl_gather<CL>(ours, s, sh), upto = xl_warp_scan_u64(each);
    const unsigned crossed = __ballot_sync(0xffffffffu, upto > target);
    const int at = crossed ? __ffs(crossed) - 1 : -1; // the rank whose ids hold the crossing (none: -1)
    if (threadIdx.x == 0) { // after an exchange: every reader of the last walk's result has passed it
        sh.found[0] = ~0ull; // id -1: none (yet)
        sh.found[1] = 0ull;
    }
    __syncthreads();
    if (at == (int)s.rank) {
        const unsigned long long base = __shfl_sync(0xffffffffu, upto - each, at); // the sums of the ranks before
        const unsigned long long before = base + __shfl_sync(0xffffffffu, incl - mine, wid); // and of the warps
        if (target >= before && target - before < sum) { // uniform over the warp
            const int part = (s1 - s0 + 31) / 32, a0 = min(s1, s0 + lane * part), a1 = min(s1, a0 + part);
            unsigned long long own = 0;
            for (int j = a0; j < a1; j++) own += xl_walk_term(mode, s, j, key);
            const unsigned long long inc = xl_warp_scan_u64(own);
            const unsigned hit = __ballot_sync(0xffffffffu, before + inc > target);
            if (hit && lane == __ffs(hit) - 1) {
                unsigned long long acc = before + inc - own;
                for (int j = a0; j < a1; j++) {
                    acc += xl_walk_term(mode, s, j, key);
                    if (acc > target) {
                        sh.found[0] = (unsigned long long)j;
                        sh.found[1] = acc;
                        break;
                    }
                }
            }
        }
    }
    xl_cl_sync<CL>();
    if (at < 0) return XlFound{-1, 0ull};
    return XlFound{(int)xl_cl_load<CL>(&sh.found[0], (unsigned)at), xl_cl_load<CL>(&sh.found[1], (unsigned)at)};
}

// the element of the sorted order at which the running sum (of weights, or of counts with counts) first exceeds
// target, and the sum through it: a radix select of its key, 11, 11 and 10 bits a pass from the top, over
// histograms of the elements whose keys match the bits found so far (integer sums: exact in any order; each
// work-group's of its ids, summed over the cluster bin by bin), then a walk over the ids of the elements at that
// key. *key gets the key. (11 bits first: with 8, the sign and the top of the exponent, most logits fell into two
// or three bins.)
template <int CL>
static __device__ XlFound xl_select(XlShare& s, bool counts, unsigned long long target, unsigned* key,
        XlSampleShared& sh) {
    const int t = threadIdx.x, lane = t & 31, wid = t >> 5;
    unsigned prefix = 0u;
    unsigned long long before = 0; // the sum over keys above the bits found so far
    for (int pass = 0; pass < 3; pass++) {
        const int shift = pass == 0 ? 21 : pass == 1 ? 10 : 0, bins = pass < 2 ? 2048 : 1024, per = bins / 1024;
        const unsigned high = pass == 0 ? 0u : 0xffffffffu << (shift + (pass == 1 ? 11 : 10));
        // this buffer was last read two passes ago, before the last pass's cluster barrier
        unsigned long long* hist = sh.hist[s.hp++ & 1];
        for (int b = t; b < bins; b += blockDim.x) hist[b] = 0ull;
        __syncthreads();
        for (int base = s.lo + t - lane; base < s.hi; base += 4 * blockDim.x) { // whole warps, for xl_hist_add
            unsigned k[4];
            unsigned long long f[4];
#pragma unroll
            for (int u = 0; u < 4; u++) { // every load before any use: 4 in flight
                const int j = base + u * blockDim.x + lane;
                k[u] = j < s.hi ? xl_tk_key(s.row[j]) : 0u;
                f[u] = j >= s.hi ? 0ull : counts ? 1ull : s.q[j];
            }
#pragma unroll
            for (int u = 0; u < 4; u++) {
                const bool in = f[u] != 0ull && (k[u] & high) == prefix;
                xl_hist_add(sh, hist, in ? (k[u] >> shift) & (unsigned)(bins - 1) : XL_NO_DIGIT, in ? f[u] : 0ull);
            }
        }
        xl_cl_sync<CL>(); // every work-group's histogram is complete
        // thread t takes places per·t .. per·t + per - 1 of the sorted order (digit bins - 1 - place), summed over
        // the cluster; warp w's places are then the w-th 32·per of the digits from the top
        const int top = bins - 1 - per * t;
        unsigned long long v0 = 0, v1 = 0;
#pragma unroll
        for (int r = 0; r < CL; r++) {
            v0 += xl_cl_load<CL>(&hist[top], (unsigned)r);
            if (per == 2) v1 += xl_cl_load<CL>(&hist[top - 1], (unsigned)r);
        }
        const unsigned long long mine = v0 + v1, warpSum = xl_warp_sum_u64(mine);
        if (lane == 0) sh.group[wid] = warpSum;
        __syncthreads();
        const unsigned long long g = sh.group[lane], gInc = xl_warp_scan_u64(g);
        const unsigned gHit = __ballot_sync(0xffffffffu, before + gInc > target);
        const int gl = gHit ? __ffs(gHit) - 1 : 31; // the warp whose digits hold the crossing (none: the last)
        if (wid == gl) {
            const unsigned long long gBefore = before + __shfl_sync(0xffffffffu, gInc - g, gl);
            const unsigned long long inc = xl_warp_scan_u64(mine);
            const unsigned hit = __ballot_sync(0xffffffffu, gBefore + inc > target);
            if (lane == (hit ? __ffs(hit) - 1 : 31)) {
                unsigned long long acc = gBefore + inc - mine;
                int d = top;
                if (per == 2 && acc + v0 <= target) { acc += v0; d = top - 1; }
                sh.prefix = prefix | ((unsigned)d << shift);
                sh.before = acc;
            }
        }
        __syncthreads();
        prefix = sh.prefix;
        before = sh.before;
    }
    *key = prefix;
    XlFound f = xl_walk<CL>(counts ? XL_WALK_COUNT_AT_KEY : XL_WALK_WEIGHT_AT_KEY, s, prefix, target - before, sh);
    f.through += before;
    return f;
}

// Row blockIdx.x / CL's next token as Sampler.next draws it from the row's first N of V logits with the row's
// uniform number u[r] in [0, 1) (the sampler's next random number; Sampler.nextUniform), no repetition penalty:
// softmax(x / T) over the K largest (K = N: all), then the nucleus of topP (1: all), then the draw, in id order
// when neither limit applies and in sorted order otherwise, as the sampler does. No finite largest logit (all NaN
// or -inf, or a +inf): the sampler's arg-max. invTBits: 1 / T as the bits of a double. weights: N int64 a row of
// scratch.
template <int CL>
static __device__ void xl_sample_row(const float* logits, int V, int N, int K, long long invTBits, long long topPBits,
        const double* uniforms, unsigned long long* weights, xl_long* ids) {
    __shared__ XlSampleShared sh;
    const int r = blockIdx.x / CL, t = threadIdx.x;
    XlShare s;
    s.rank = xl_cl_rank<CL>();
    s.row = logits + (xl_long)r * V;
    s.q = weights + (xl_long)r * N;
    s.lo = (int)((xl_long)N * s.rank / CL);
    s.hi = (int)((xl_long)N * (s.rank + 1) / CL);
    s.ex = 0;
    s.hp = 0;
    const double invT = __longlong_as_double(invTBits), topP = __longlong_as_double(topPBits);
    // the largest key, and the smallest id holding it
    unsigned long long best = 0;
    for (int j = s.lo + t; j < s.hi; j += blockDim.x) {
        const unsigned long long kv = ((unsigned long long)xl_tk_key(s.row[j]) << 32) | (unsigned)(0x7fffffff - j);
        best = kv > best ? kv : best;
    }
    best = xl_warp_max_u64(xl_gather<CL>(xl_block_reduce_u64(best, true, sh.red), s, sh));
    const float mx = xl_key_value((unsigned)(best >> 32));
    if (isinf(mx)) {
        if (t == 0 && s.rank == 0) ids[r] = 0x7fffffff - (int)(unsigned)(best & 0xffffffffull);
        xl_cl_sync<CL>(); // no work-group leaves while another may still read its shared memory
        return;
    }
    // top-k: the members are the keys above the K-th's and, at its key, the ids up to the K-th's
    unsigned kth = 0u;
    int lastTie = N;
    if (K < N) lastTie = xl_select<CL>(s, true, (unsigned long long)(K - 1), &kth, sh).id;
    const double scale = ldexp(1.0, 63 - (32 - __clz(N)));
    unsigned long long total = 0;
    for (int j = s.lo + t; j < s.hi; j += blockDim.x) {
        const float x = s.row[j];
        const unsigned k = xl_tk_key(x);
        unsigned long long w = 0;
        if ((k > kth || (k == kth && j <= lastTie)) && x == x) w = (unsigned long long)rint(exp(((double)x - mx) * invT) * scale);
        s.q[j] = w;
        total += w;
    }
    // (the block's reduction also makes its weights visible to all its threads; each work-group reads only its own)
    total = xl_warp_sum_u64(xl_gather<CL>(xl_block_reduce_u64(total, false, sh.red), s, sh));
    unsigned long long mass = total;
    unsigned unused;
    if (topP < 1.0) { // the nucleus ends where the running weight first reaches topP of the total
        const double want = ceil(topP * (double)total);
        const unsigned long long reach = want < 1.0 ? 1ull : want >= (double)total ? total : (unsigned long long)want;
        mass = xl_select<CL>(s, false, reach - 1, &unused, sh).through;
    }
    unsigned long long u = (unsigned long long)(uniforms[r] * (double)mass);
    if (u >= mass) u = mass - 1;
    const XlFound f = K < N || topP < 1.0 ? xl_select<CL>(s, false, u, &unused, sh)
                                          : xl_walk<CL>(XL_WALK_WEIGHT, s, 0u, u, sh);
    if (t == 0 && s.rank == 0) ids[r] = f.id;
    xl_cl_sync<CL>(); // no work-group leaves while another may still read its shared memory
}

// one work-group of 1024 threads a row: grid = rows
extern "C" __global__ void __launch_bounds__(1024) xl_sample(const float* logits, int V, int N, int K,
        long long invTBits, long long topPBits, const double* uniforms, unsigned long long* weights, xl_long* ids) {
    XL_ENTRY();
    xl_sample_row<1>(logits, V, N, K, invTBits, topPBits, uniforms, weights, ids);
}

#if !defined(__CUDA_ARCH__) || __CUDA_ARCH__ >= 900
// a cluster of XL_DRAW_CLUSTER work-groups of 1024 threads a row (sm_90): grid = rows · XL_DRAW_CLUSTER
extern "C" __global__ void __cluster_dims__(XL_DRAW_CLUSTER, 1, 1) __launch_bounds__(1024) xl_sample_cluster(
        const float* logits, int V, int N, int K, long long invTBits, long long topPBits, const double* uniforms,
        unsigned long long* weights, xl_long* ids) {
    XL_ENTRY();
    xl_sample_row<XL_DRAW_CLUSTER>(logits, V, N, K, invTBits, topPBits, uniforms, weights, ids);
}
#endif

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
