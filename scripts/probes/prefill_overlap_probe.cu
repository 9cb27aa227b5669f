// Would a prompt's latency-bound mLSTM cell hide behind the power-capped cuBLAS products if the two ran at once?
// The premise of pipelining a prefill over token segments on two streams (segment s + 1's products of block l beside
// segment s's cell of block l + 1). Standalone: scripts/probes/prefill_overlap_probe.sh builds it with the build's
// generated cell kernels (mlstm_chunkwise_tc_states and _out, separate translation units) and cuBLAS.
//
// One "block" of a 4096-token segment of the 7B shape: products q|k|v|o|i|f (12304 x 4096), out (4096 x 4096),
// gate|up (21888 x 4096) and down (4096 x 10944), bf16 inputs and float32 outputs (cublasGemmEx, as DeviceLarge
// does for prompts), and the split tensor-core cell at B 1, NH 8, S 4096, DQK 256, DV 512, chunk 64. Timed with CUDA
// events after the products have run long enough for the 700 W cap to set the clock: 32 blocks of products alone,
// 32 cells alone, and both at once on two streams. Random inputs: only the times are of interest.
#include <cstdio>
#include <cstdlib>
#include <vector>
#include <algorithm>
#include <cuda_runtime.h>
#include <cublas_v2.h>

#define CK(x) do { cudaError_t e_ = (x); if (e_ != cudaSuccess) { printf("%s:%d %s: %s\n", __FILE__, __LINE__, #x, cudaGetErrorString(e_)); exit(1); } } while (0)
#define CB(x) do { cublasStatus_t s_ = (x); if (s_ != CUBLAS_STATUS_SUCCESS) { printf("%s:%d %s: cuBLAS status %d\n", __FILE__, __LINE__, #x, (int)s_); exit(1); } } while (0)

#define CELL_ARGS int B, int NH, int S, int DQK, int DV, int chunkSize, const float* q, const float* k, const float* v, \
    const float* i, const float* f, float* C, float* n, float* m, const float* n_in, const float* m_in, float* h, float eps, float* scratch
extern "C" __global__ void mlstm_chunkwise_tc_states(CELL_ARGS);
extern "C" __global__ void mlstm_chunkwise_tc_out(CELL_ARGS);

__global__ void fill(float* p, size_t n, unsigned seed, float scale) {
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x) {
        unsigned h = (unsigned)i * 2654435761u ^ seed; h ^= h >> 15; h *= 2246822519u; h ^= h >> 13;
        p[i] = ((h & 0xffffff) / 16777216.0f - 0.5f) * scale;
    }
}

static float median(std::vector<float> v) { std::sort(v.begin(), v.end()); return v[v.size() / 2]; }

int main(int argc, char** argv) {
    const int blocks = argc > 1 ? atoi(argv[1]) : 32, rounds = argc > 2 ? atoi(argv[2]) : 5;
    const int B = 1, NH = 8, S = 4096, DQK = 256, DV = 512, L = 64, E = 4096;
    // the products: (out features, in features)
    const int shapes[4][2] = {{12304, E}, {E, E}, {21888, E}, {E, 10944}};
    cublasHandle_t blas; CB(cublasCreate(&blas));
    cudaStream_t sa, sb; CK(cudaStreamCreateWithFlags(&sa, cudaStreamNonBlocking)); CK(cudaStreamCreateWithFlags(&sb, cudaStreamNonBlocking));
    CB(cublasSetStream(blas, sa));
    void* w[4]; void* x; float* y;
    for (int p = 0; p < 4; p++) {
        CK(cudaMalloc(&w[p], (size_t)shapes[p][0] * shapes[p][1] * 2));
        fill<<<1024, 256>>>((float*)w[p], (size_t)shapes[p][0] * shapes[p][1] / 2, 11 + p, 0.01f); // bits of any finite bf16 pairs
    }
    CK(cudaMalloc(&x, (size_t)S * 10944 * 2)); fill<<<1024, 256>>>((float*)x, (size_t)S * 10944 / 2, 5, 0.01f);
    CK(cudaMalloc(&y, (size_t)S * 21888 * 4));
    auto products = [&]() {
        const float one = 1.0f, zero = 0.0f;
        for (int p = 0; p < 4; p++) {
            const int N = shapes[p][0], K = shapes[p][1];
            CB(cublasGemmEx(blas, CUBLAS_OP_T, CUBLAS_OP_N, N, S, K, &one, w[p], CUDA_R_16BF, K, x, CUDA_R_16BF, K, &zero,
                            y, CUDA_R_32F, N, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
        }
    };
    // the cell's buffers
    const size_t nq = (size_t)B * NH * S * DQK, nv = (size_t)B * NH * S * DV, ng = (size_t)B * NH * S;
    const size_t nscratch = (size_t)B * NH * ((S + L - 1) / L) * ((size_t)DQK * DV / 2 + DQK + 1);
    float *q, *k, *v, *ig, *fg, *C, *n, *m, *nin, *min_, *h, *scratch;
    CK(cudaMalloc(&q, nq * 4)); CK(cudaMalloc(&k, nq * 4)); CK(cudaMalloc(&v, nv * 4)); CK(cudaMalloc(&h, nv * 4));
    CK(cudaMalloc(&ig, ng * 4)); CK(cudaMalloc(&fg, ng * 4));
    CK(cudaMalloc(&C, (size_t)B * NH * DQK * DV * 4)); CK(cudaMalloc(&n, (size_t)B * NH * DQK * 4)); CK(cudaMalloc(&m, B * NH * 4));
    CK(cudaMalloc(&nin, (size_t)B * NH * DQK * 4)); CK(cudaMalloc(&min_, B * NH * 4)); CK(cudaMalloc(&scratch, nscratch * 4));
    fill<<<1024, 256>>>(q, nq, 1, 1.0f); fill<<<1024, 256>>>(k, nq, 2, 1.0f); fill<<<1024, 256>>>(v, nv, 3, 1.0f);
    fill<<<256, 256>>>(ig, ng, 4, 2.0f); fill<<<256, 256>>>(fg, ng, 6, 2.0f);
    CK(cudaMemset(C, 0, (size_t)B * NH * DQK * DV * 4)); CK(cudaMemset(n, 0, (size_t)B * NH * DQK * 4)); CK(cudaMemset(m, 0, B * NH * 4));
    CK(cudaMemset(nin, 0, (size_t)B * NH * DQK * 4)); CK(cudaMemset(min_, 0, B * NH * 4));
    // launch geometry and shared memory from the index (docs/glue-contract.md)
    const int gStates = B * NH * ((DV + 63) / 64) * ((DQK + 63) / 64), gOut = B * NH * ((S + L - 1) / L);
    const int shStates = 4 * (3 * 64 * 36 + 516), shOut = 4 * (192 * (DQK / 2 + 4) + DQK + 2948 + 2304 * (64 / (DQK + 1)));
    CK(cudaFuncSetAttribute(mlstm_chunkwise_tc_states, cudaFuncAttributeMaxDynamicSharedMemorySize, shStates));
    CK(cudaFuncSetAttribute(mlstm_chunkwise_tc_out, cudaFuncAttributeMaxDynamicSharedMemorySize, shOut));
    auto cell = [&]() {
        mlstm_chunkwise_tc_states<<<gStates, 256, shStates, sb>>>(B, NH, S, DQK, DV, L, q, k, v, ig, fg, C, n, m, nin, min_, h, 1e-6f, scratch);
        mlstm_chunkwise_tc_out<<<gOut, 256, shOut, sb>>>(B, NH, S, DQK, DV, L, q, k, v, ig, fg, C, n, m, nin, min_, h, 1e-6f, scratch);
    };
    CK(cudaDeviceSynchronize());
    cell(); CK(cudaStreamSynchronize(sb)); CK(cudaGetLastError());

    cudaEvent_t a0, a1, b1, all;
    CK(cudaEventCreate(&a0)); CK(cudaEventCreate(&a1)); CK(cudaEventCreate(&b1)); CK(cudaEventCreate(&all));
    // warm: two seconds of products, so that the power cap has set the clock
    for (int r = 0; r < 25; r++) for (int b = 0; b < blocks; b++) products();
    CK(cudaStreamSynchronize(sa));
    std::vector<float> tp, tc, tb;
    for (int r = 0; r < rounds; r++) {
        float ms;
        CK(cudaEventRecord(a0, sa)); for (int b = 0; b < blocks; b++) products(); CK(cudaEventRecord(a1, sa));
        CK(cudaEventSynchronize(a1)); CK(cudaEventElapsedTime(&ms, a0, a1)); tp.push_back(ms);
        CK(cudaEventRecord(a0, sb)); for (int b = 0; b < blocks; b++) cell(); CK(cudaEventRecord(b1, sb));
        CK(cudaEventSynchronize(b1)); CK(cudaEventElapsedTime(&ms, a0, b1)); tc.push_back(ms);
        CK(cudaEventRecord(a0, sa)); CK(cudaStreamWaitEvent(sb, a0, 0));
        for (int b = 0; b < blocks; b++) { products(); cell(); }
        CK(cudaEventRecord(b1, sb)); CK(cudaStreamWaitEvent(sa, b1, 0)); CK(cudaEventRecord(all, sa));
        CK(cudaEventSynchronize(all)); CK(cudaEventElapsedTime(&ms, a0, all)); tb.push_back(ms);
        printf("round %d: products %.2f ms, cells %.2f ms, both at once %.2f ms\n", r + 1, tp.back(), tc.back(), tb.back());
    }
    const float p = median(tp), c = median(tc), b = median(tb);
    printf("medians of %d rounds, %d blocks of a 4096-token segment: products %.2f ms, cells %.2f ms, sum %.2f, both at once %.2f ms "
           "(%.0f %% of the cells' time hidden)\n", rounds, blocks, p, c, p + c, b, 100.0 * (p + c - b) / c);
    return 0;
}
