// The next token chosen on the device (xlstm.runtime.cuda.ChoiceKernels), so that a decode step reads back 8 bytes
// a row instead of its logits: the arg-max (greedy), the k largest logits with their ids (top-k candidates for the
// host's sampler), and the host sampler's whole draw with the random number it gives.
// No headers: compiled, after prelude.cu (XL_ENTRY, xl_long), by NVRTC at run time and by nvcc in the tests.

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
