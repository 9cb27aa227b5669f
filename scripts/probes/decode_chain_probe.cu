// What a kernel boundary costs in a batch-1 decode step, and what a persistent kernel with grid barriers would save.
// Standalone (CUDA runtime, no Java): nvcc -O3 -arch=sm_90 -o probe decode_chain_probe.cu && ./probe
//
// The chain: the 7B shape's batch-1 products in a step's order, each reading the previous one's output, 32 blocks of
// out (4096 <- 4096), gate|up (21888 <- 4096), down (4096 <- 10944), projection (12304 <- 4096), then the lm head
// (50304 <- 4096): 129 products, 13.3 GB of bf16 weights. Every product has the form of gemv_bf16.cu's fused ones:
// one warp a row, rows strided over a grid that fits at once (2 work-groups of 256 an SM), 8 16-byte weight loads
// in flight a lane, the warp's first 8 loads issued before it waits for its input, x staged in shared memory.
// Ways of running it, timed with CUDA events over replays:
//   launches: one launch a product, programmatic dependent launches, in a CUDA graph (what DeviceLarge does)
//   persistent: one cooperative kernel; a grid barrier (an arrival counter) between products
//   stream: the same kernel with no barriers and no dependence (every product reads a fixed x): the bound
// The chain's last output must be the same bit for bit in launches and persistent (same rows, same order).
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>
#include <algorithm>
#include <cuda_runtime.h>

#define CK(x) do { cudaError_t e_ = (x); if (e_ != cudaSuccess) { printf("%s:%d %s: %s\n", __FILE__, __LINE__, #x, cudaGetErrorString(e_)); exit(1); } } while (0)

#ifndef PROBE_L
#define PROBE_L 8
#endif
constexpr int L = PROBE_L;    // 16-byte loads in flight a lane (-DPROBE_L=...)
// work-groups an SM the registers must allow: 3 up to 8 loads a lane, else 2
#define PROBE_BLOCKS (PROBE_L <= 8 ? 3 : 2)
constexpr int THREADS = 256;

struct Phase { const uint4* W; const float* x; float* y; int N, K; const uint4* nextW; int nextN, nextK; };

static __device__ __forceinline__ uint4 stream16(const uint4* p) {
    uint4 v;
    asm volatile("ld.global.nc.L1::no_allocate.v4.u32 {%0, %1, %2, %3}, [%4];"
                 : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w) : "l"(p));
    return v;
}
static __device__ __forceinline__ float lo(unsigned w) { return __uint_as_float(w << 16); }
static __device__ __forceinline__ float hi(unsigned w) { return __uint_as_float(w & 0xffff0000u); }
static __device__ __forceinline__ float dot8(const uint4& w, const float* xs, int c, float acc) {
    const float4 a = ((const float4*)xs)[2 * c], b = ((const float4*)xs)[2 * c + 1];
    acc = fmaf(lo(w.x), a.x, acc); acc = fmaf(hi(w.x), a.y, acc); acc = fmaf(lo(w.y), a.z, acc); acc = fmaf(hi(w.y), a.w, acc);
    acc = fmaf(lo(w.z), b.x, acc); acc = fmaf(hi(w.z), b.y, acc); acc = fmaf(lo(w.w), b.z, acc); acc = fmaf(hi(w.w), b.w, acc);
    return acc;
}

// the warp's first batch of its first row, before the wait for x
static __device__ __forceinline__ bool early(const Phase& p, uint4 (&w)[L]) {
    const int lane = threadIdx.x & 31;
    const long row = (long)blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    const bool batched = lane + (L - 1) * 32 < p.K / 8 && row < p.N;
    if (batched) {
        const uint4* wr = p.W + row * (p.K / 8);
#pragma unroll
        for (int j = 0; j < L; j++) w[j] = stream16(wr + lane + j * 32);
    }
    return batched;
}

// x into shared memory (through L2: it was written by other work-groups of this kernel), then the rows
static __device__ void rows(const Phase& p, uint4 (&w)[L], bool pre, float* xs) {
    for (int i = threadIdx.x; i < p.K / 4; i += blockDim.x) ((float4*)xs)[i] = __ldcg(((const float4*)p.x) + i);
    __syncthreads();
    const int lane = threadIdx.x & 31, nc = p.K / 8;
    const long stride = (long)gridDim.x * (blockDim.x >> 5);
    for (long row = (long)blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5); row < p.N; row += stride) {
        const uint4* wr = p.W + row * nc;
        float acc = 0.0f;
        int c = lane;
        if (lane + (L - 1) * 32 < nc) {
            if (!pre) {
#pragma unroll
                for (int j = 0; j < L; j++) w[j] = stream16(wr + c + j * 32);
            }
            for (;;) {
#pragma unroll
                for (int j = 0; j < L; j++) acc = dot8(w[j], xs, c + j * 32, acc);
                c += L * 32;
                if (c + (L - 1) * 32 >= nc) break;
#pragma unroll
                for (int j = 0; j < L; j++) w[j] = stream16(wr + c + j * 32);
            }
        }
        pre = false;
        for (; c < nc; c += 32) acc = dot8(stream16(wr + c), xs, c, acc);
        for (int o = 16; o > 0; o >>= 1) acc += __shfl_xor_sync(0xffffffffu, acc, o);
        if (lane == 0) p.y[row] = acc * 0.5f; // keeps the chain's values in range
    }
}

// once the warp's rows are done: its first pf rows of the next product towards L2, so that DRAM keeps streaming
// through the boundary
static __device__ __forceinline__ void prefetch_next(const Phase& p, int pf) {
    if (!p.nextW) return;
    const int lane = threadIdx.x & 31;
    const long stride = (long)gridDim.x * (blockDim.x >> 5);
    long row = (long)blockIdx.x * (blockDim.x >> 5) + (threadIdx.x >> 5);
    for (int k = 0; k < pf && row < p.nextN; k++, row += stride) {
        const char* wr = (const char*)(p.nextW + row * (p.nextK / 8));
        for (int c = lane * 128; c < 2 * p.nextK; c += 32 * 128) asm volatile("prefetch.global.L2 [%0];" :: "l"(wr + c));
    }
}

// first: let the next product launch before this one waits, so that its work-groups can be placed beside this one's
// (where the grid leaves room on each SM) and issue their first loads while this product streams
__global__ void __launch_bounds__(THREADS, PROBE_BLOCKS) one_product(Phase p, int pf, int first) {
    extern __shared__ float4 xs4[];
    uint4 w[L];
    if (first) asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
    const bool pre = early(p, w);
    asm volatile("griddepcontrol.wait;" ::: "memory");
    if (!first) asm volatile("griddepcontrol.launch_dependents;" ::: "memory");
    rows(p, w, pre, (float*)xs4);
    prefetch_next(p, pf);
}

static __device__ __forceinline__ unsigned ld_acquire(const unsigned* p) {
    unsigned v;
    asm volatile("ld.acquire.gpu.global.u32 %0, [%1];" : "=r"(v) : "l"(p) : "memory");
    return v;
}

// barriers: 0 none (the stream bound), 1 an arrival counter between products
__global__ void __launch_bounds__(THREADS, PROBE_BLOCKS) all_products(const Phase* ph, int n, unsigned* arrived, unsigned base, int barriers, int pf) {
    extern __shared__ float4 xs4[];
    for (int i = 0; i < n; i++) {
        const Phase p = ph[i];
        uint4 w[L];
        const bool pre = early(p, w);
        if (barriers && i > 0) {
            if (threadIdx.x == 0) {
                const unsigned target = base + (unsigned)i * gridDim.x;
                while ((int)(ld_acquire(arrived) - target) < 0) { }
            }
            __syncthreads();
        }
        rows(p, w, pre, (float*)xs4);
        prefetch_next(p, pf);
        if (barriers) {
            __syncthreads();
            if (threadIdx.x == 0) { __threadfence(); atomicAdd(arrived, 1u); }
        } else {
            __syncthreads();
        }
    }
}

__global__ void fill_bf16(unsigned short* w, size_t n, unsigned seed, float scale) {
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x) {
        unsigned h = (unsigned)i * 2654435761u ^ seed; h ^= h >> 15; h *= 2246822519u; h ^= h >> 13;
        const float f = ((h & 0xffffff) / 16777216.0f - 0.5f) * scale;
        unsigned u; memcpy(&u, &f, 4);
        w[i] = (unsigned short)(u >> 16);
    }
}

static float median(std::vector<float> v) { std::sort(v.begin(), v.end()); return v[v.size() / 2]; }

int main(int argc, char** argv) {
    const int blocks = argc > 1 ? atoi(argv[1]) : 32, rounds = argc > 2 ? atoi(argv[2]) : 7, reps = 10;
    int pf = argc > 3 ? atoi(argv[3]) : 0; // rows of the next product a warp sends towards L2 when its rows are done
    int share = argc > 4 ? atoi(argv[4]) : 1; // work-groups an SM of a product in the overlapped launches
    int dev = 0, sms = 0; CK(cudaGetDevice(&dev)); CK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev));
    // the products of a step
    std::vector<int2> shapes; // (N, K)
    for (int b = 0; b < blocks; b++) { shapes.push_back({4096, 4096}); shapes.push_back({21888, 4096}); shapes.push_back({4096, 10944}); shapes.push_back({12304, 4096}); }
    shapes.push_back({50304, 4096});
    const int n = (int)shapes.size();
    size_t bytes = 0; for (auto s : shapes) bytes += (size_t)s.x * s.y * 2;
    std::vector<Phase> ph(n), fixed(n);
    float* x0; CK(cudaMalloc(&x0, 21888 * 4));
    fill_bf16<<<64, 256>>>((unsigned short*)x0, 21888 * 2, 7, 2.0f); // any finite values
    const float* prev = x0;
    for (int i = 0; i < n; i++) {
        unsigned short* w; CK(cudaMalloc(&w, (size_t)shapes[i].x * shapes[i].y * 2));
        fill_bf16<<<1024, 256>>>(w, (size_t)shapes[i].x * shapes[i].y, 17 + i, 0.05f);
        float* y; CK(cudaMalloc(&y, (size_t)std::max(shapes[i].x, 10944) * 4)); CK(cudaMemset(y, 0, (size_t)std::max(shapes[i].x, 10944) * 4));
        ph[i] = {(const uint4*)w, prev, y, shapes[i].x, shapes[i].y, nullptr, 0, 0};
        if (i > 0) { ph[i - 1].nextW = ph[i].W; ph[i - 1].nextN = ph[i].N; ph[i - 1].nextK = ph[i].K; }
        prev = y;
    }
    for (int i = 0; i < n; i++) { fixed[i] = ph[i]; fixed[i].x = x0; }
    CK(cudaDeviceSynchronize());
    const int smem = 10944 * 4;
    CK(cudaFuncSetAttribute(one_product, cudaFuncAttributeMaxDynamicSharedMemorySize, smem));
    CK(cudaFuncSetAttribute(all_products, cudaFuncAttributeMaxDynamicSharedMemorySize, smem));
    int occ1 = 0, occ2 = 0;
    CK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&occ1, one_product, THREADS, smem));
    CK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&occ2, all_products, THREADS, smem));
    const int grid = std::min(occ1, occ2) * sms, grid2 = std::max(1, std::min(share, occ1)) * sms;
    printf("next rows sent to L2 %d, loads in flight a lane %d, SMs %d, work-groups an SM %d / %d, grid %d, products %d, weights %.3f GB; overlapped launches: grid %d\n", pf, L, sms, occ1, occ2, grid, n, bytes / 1e9, grid2);
    Phase *dph, *dfixed; unsigned* arrived;
    CK(cudaMalloc(&dph, n * sizeof(Phase))); CK(cudaMalloc(&dfixed, n * sizeof(Phase))); CK(cudaMalloc(&arrived, 4));
    CK(cudaMemcpy(dph, ph.data(), n * sizeof(Phase), cudaMemcpyHostToDevice));
    CK(cudaMemcpy(dfixed, fixed.data(), n * sizeof(Phase), cudaMemcpyHostToDevice));
    CK(cudaMemset(arrived, 0, 4));
    cudaStream_t st; CK(cudaStreamCreateWithFlags(&st, cudaStreamNonBlocking));

    // launches: the graph of n dependent launches (overlapped: smaller grids, each letting the next one launch first)
    auto chain = [&](int gr, int first) {
        cudaGraph_t g; cudaGraphExec_t ge;
        CK(cudaStreamBeginCapture(st, cudaStreamCaptureModeGlobal));
        for (int i = 0; i < n; i++) {
            cudaLaunchConfig_t cfg = {}; cudaLaunchAttribute at[1];
            cfg.gridDim = gr; cfg.blockDim = THREADS; cfg.dynamicSmemBytes = smem; cfg.stream = st;
            at[0].id = cudaLaunchAttributeProgrammaticStreamSerialization; at[0].val.programmaticStreamSerializationAllowed = 1;
            cfg.attrs = at; cfg.numAttrs = 1;
            CK(cudaLaunchKernelEx(&cfg, one_product, ph[i], pf, first));
        }
        CK(cudaStreamEndCapture(st, &g));
        CK(cudaGraphInstantiate(&ge, g, 0));
        return ge;
    };
    cudaGraphExec_t ge = chain(grid, 0), ge2 = chain(grid2, 1);

    unsigned base = 0;
    int nopf = 0;
    auto persistent = [&](const Phase* p, int barriers) {
        void* args[] = {(void*)&p, (void*)&n, (void*)&arrived, (void*)&base, (void*)&barriers, barriers ? (void*)&pf : (void*)&nopf};
        CK(cudaLaunchCooperativeKernel((void*)all_products, grid, THREADS, args, smem, st));
        if (barriers) base += (unsigned)(n - 1) * grid + grid; // every work-group arrives n times
    };
    const float* last = ph[n - 1].y;
    std::vector<float> ya(50304), yb(50304);
    CK(cudaGraphLaunch(ge, st)); CK(cudaStreamSynchronize(st));
    CK(cudaMemcpy(ya.data(), last, 50304 * 4, cudaMemcpyDeviceToHost));
    persistent(dph, 1); CK(cudaStreamSynchronize(st)); CK(cudaGetLastError());
    CK(cudaMemcpy(yb.data(), last, 50304 * 4, cudaMemcpyDeviceToHost));
    int diff = 0, finite = 0;
    for (int i = 0; i < 50304; i++) { if (memcmp(&ya[i], &yb[i], 4)) diff++; if (ya[i] == ya[i] && ya[i] - ya[i] == 0) finite++; }
    printf("last product: %d of 50304 outputs differ between launches and persistent (%d finite; y[0] %g)\n", diff, finite, ya[0]);
    CK(cudaMemset(ph[n - 1].y, 0, 50304 * 4));
    CK(cudaGraphLaunch(ge2, st)); CK(cudaStreamSynchronize(st));
    CK(cudaMemcpy(yb.data(), last, 50304 * 4, cudaMemcpyDeviceToHost));
    diff = 0;
    for (int i = 0; i < 50304; i++) if (memcmp(&ya[i], &yb[i], 4)) diff++;
    printf("last product: %d of 50304 outputs differ between launches and overlapped launches\n", diff);

    cudaEvent_t e0, e1; CK(cudaEventCreate(&e0)); CK(cudaEventCreate(&e1));
    const char* names[] = {"launches (graph, dependent launches)", "persistent (grid barriers)", "stream (no barriers, no dependence)",
                           "overlapped launches (trigger first)"};
    std::vector<float> t[4];
    auto once = [&](int m) {
        if (m == 0) CK(cudaGraphLaunch(ge, st));
        else if (m == 3) CK(cudaGraphLaunch(ge2, st));
        else persistent(m == 1 ? dph : dfixed, m == 1);
    };
    for (int r = 0; r < rounds; r++) {
        for (int m = 0; m < 4; m++) {
            for (int k = 0; k < 2; k++) once(m);
            CK(cudaEventRecord(e0, st));
            for (int k = 0; k < reps; k++) once(m);
            CK(cudaEventRecord(e1, st)); CK(cudaEventSynchronize(e1));
            float ms; CK(cudaEventElapsedTime(&ms, e0, e1)); t[m].push_back(ms / reps);
        }
    }
    for (int m = 0; m < 4; m++) {
        const float ms = median(t[m]);
        printf("%-40s %.3f ms a chain (min %.3f, max %.3f over %d rounds), %.0f GB/s, %.1f us a product beyond the stream\n",
               names[m], ms, *std::min_element(t[m].begin(), t[m].end()), *std::max_element(t[m].begin(), t[m].end()), rounds,
               bytes / (ms * 1e-3) / 1e9, (ms - median(t[2])) * 1e3 / n);
    }
    return 0;
}
