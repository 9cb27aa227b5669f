// Which cuBLASLt algorithm is fastest for the 7B prefill's largest products once the GPU runs at its power cap?
// (Issue 3: cublasGemmEx's choice, ours and PyTorch's alike, takes 1.87 ms for gate|up at 1980 MHz and 2.17 ms once
// the 700 W cap has set about 1470 MHz; an algorithm that spends less energy per FLOP would run faster there.)
// Built and run on the GPU machine by scripts/cublaslt-algos.sh. For each product: 2 s of cublasGemmEx to reach
// the capped state, then every heuristic candidate (up to 16) and cublasGemmEx, in 3 alternating rounds of 100
// products back to back between two events; prints each one's median ms per product. An experiment, not part of the
// library: if one wins by enough, the Java binding (backends/.../Cublas.java) would take cuBLASLt with that choice.
#include <cublasLt.h>
#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

#define CK(x) do { auto _e = (x); if ((int)_e != 0) { std::fprintf(stderr, "%s:%d: %s = %d\n", __FILE__, __LINE__, #x, (int)_e); std::exit(1); } } while (0)

__global__ void fill(unsigned short* p, size_t n, unsigned seed, float scale) {
    for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n; i += (size_t)gridDim.x * blockDim.x) {
        unsigned h = (unsigned)i * 2654435761u ^ seed;
        h ^= h >> 15; h *= 2246822519u; h ^= h >> 13;
        float f = ((h & 0xffffff) / 16777216.0f * 2.0f - 1.0f) * scale;
        p[i] = (unsigned short)(__float_as_uint(f) >> 16);
    }
}

struct Shape { const char* name; cublasOperation_t ta, tb; int m, n, k, lda, ldb, ldc; cudaDataType_t ct; float beta; };

int main() {
    const size_t WS = 32u << 20;
    cublasLtHandle_t lt; CK(cublasLtCreate(&lt));
    cublasHandle_t h; CK(cublasCreate(&h));
    cudaStream_t s; CK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
    CK(cublasSetStream(h, s));
    void* ws; CK(cudaMalloc(&ws, WS));
    CK(cublasSetWorkspace(h, ws, WS));
    const size_t maxA = 21888ull * 10944, maxB = 8192ull * 10944, maxC = 8192ull * 21888;
    unsigned short *A, *B; void* C;
    CK(cudaMalloc(&A, 2 * maxA)); CK(cudaMalloc(&B, 2 * maxB)); CK(cudaMalloc(&C, 4 * maxC));
    fill<<<1024, 256, 0, s>>>(A, maxA, 1, 0.02f);
    fill<<<1024, 256, 0, s>>>(B, maxB, 2, 1.0f);
    CK(cudaMemsetAsync(C, 0, 4 * maxC, s));
    // as backends/.../Cublas.java calls them (column-major): gate|up token-major and feature-major (bf16 out), down
    // from the feature-major activation with the residual added (float32 out, beta 1)
    const Shape shapes[] = {
        {"gate|up 4096->21888 bf16 out, token-major", CUBLAS_OP_T, CUBLAS_OP_N, 21888, 8192, 4096, 4096, 4096, 21888, CUDA_R_16BF, 0.0f},
        {"gate|up 4096->21888 bf16 out, feature-major", CUBLAS_OP_T, CUBLAS_OP_N, 8192, 21888, 4096, 4096, 4096, 8192, CUDA_R_16BF, 0.0f},
        {"down 10944->4096 f32 out + residual, input feature-major", CUBLAS_OP_T, CUBLAS_OP_T, 4096, 8192, 10944, 10944, 8192, 4096, CUDA_R_32F, 1.0f},
    };
    cudaEvent_t e0, e1; CK(cudaEventCreate(&e0)); CK(cudaEventCreate(&e1));
    for (const Shape& sh : shapes) {
        const float one = 1.0f, beta = sh.beta;
        const double flop = 2.0 * sh.m * sh.n * sh.k;
        // the gate|up feature-major form multiplies x (A) by w (B); the others w (A) by x (B)
        const bool xFirst = sh.m == 8192;
        const void* pa = xFirst ? (const void*)B : (const void*)A;
        const void* pb = xFirst ? (const void*)A : (const void*)B;
        auto gemmEx = [&]() {
            CK(cublasGemmEx(h, sh.ta, sh.tb, sh.m, sh.n, sh.k, &one, pa, CUDA_R_16BF, sh.lda, pb, CUDA_R_16BF, sh.ldb,
                            &beta, C, sh.ct, sh.ldc, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT));
        };
        cublasLtMatmulDesc_t d; CK(cublasLtMatmulDescCreate(&d, CUBLAS_COMPUTE_32F, CUDA_R_32F));
        CK(cublasLtMatmulDescSetAttribute(d, CUBLASLT_MATMUL_DESC_TRANSA, &sh.ta, sizeof(sh.ta)));
        CK(cublasLtMatmulDescSetAttribute(d, CUBLASLT_MATMUL_DESC_TRANSB, &sh.tb, sizeof(sh.tb)));
        cublasLtMatrixLayout_t la, lb, lc;
        CK(cublasLtMatrixLayoutCreate(&la, CUDA_R_16BF, sh.ta == CUBLAS_OP_N ? sh.m : sh.k, sh.ta == CUBLAS_OP_N ? sh.k : sh.m, sh.lda));
        CK(cublasLtMatrixLayoutCreate(&lb, CUDA_R_16BF, sh.tb == CUBLAS_OP_N ? sh.k : sh.n, sh.tb == CUBLAS_OP_N ? sh.n : sh.k, sh.ldb));
        CK(cublasLtMatrixLayoutCreate(&lc, sh.ct, sh.m, sh.n, sh.ldc));
        cublasLtMatmulPreference_t pref; CK(cublasLtMatmulPreferenceCreate(&pref));
        uint64_t wsb = WS;
        CK(cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &wsb, sizeof(wsb)));
        cublasLtMatmulHeuristicResult_t res[16]; int found = 0;
        CK(cublasLtMatmulAlgoGetHeuristic(lt, d, la, lb, lc, lc, pref, 16, res, &found));
        std::printf("\n%s: M %d N %d K %d, %d heuristic candidates\n", sh.name, sh.m, sh.n, sh.k, found);
        // candidate -1: cublasGemmEx; i >= 0: heuristic result i
        auto run = [&](int i) {
            if (i < 0) gemmEx();
            else CK(cublasLtMatmul(lt, d, &one, pa, la, pb, lb, &beta, C, lc, C, lc, &res[i].algo, ws, WS, s));
        };
        auto timed = [&](int i, int reps) {
            CK(cudaEventRecord(e0, s));
            for (int r = 0; r < reps; r++) run(i);
            CK(cudaEventRecord(e1, s));
            CK(cudaEventSynchronize(e1));
            float ms; CK(cudaEventElapsedTime(&ms, e0, e1));
            return ms / reps;
        };
        // to the capped state: about 2 s of the default
        float t0 = timed(-1, 5);
        timed(-1, std::max(1, (int)(2000 / t0)));
        std::vector<std::vector<float>> ms(found + 1);
        for (int round = 0; round < 3; round++)
            for (int j = 0; j <= found; j++) {
                int i = round % 2 == 0 ? j - 1 : found - 1 - j; // alternate the order
                ms[i + 1].push_back(timed(i, 100));
            }
        for (int i = -1; i < found; i++) {
            std::vector<float> v = ms[i + 1];
            std::sort(v.begin(), v.end());
            float med = v[1];
            if (i < 0) std::printf("  cublasGemmEx            %7.3f ms  %6.1f TFLOP/s  (rounds %.3f %.3f %.3f)\n", med, flop / med / 1e9, ms[0][0], ms[0][1], ms[0][2]);
            else std::printf("  heuristic %2d (ws %5.1f MB, waves %5.2f) %7.3f ms  %6.1f TFLOP/s  (rounds %.3f %.3f %.3f)\n", i,
                             res[i].workspaceSize / 1048576.0, res[i].wavesCount, med, flop / med / 1e9, ms[i + 1][0], ms[i + 1][1], ms[i + 1][2]);
        }
        cublasLtMatmulPreferenceDestroy(pref);
        cublasLtMatrixLayoutDestroy(la); cublasLtMatrixLayoutDestroy(lb); cublasLtMatrixLayoutDestroy(lc);
        cublasLtMatmulDescDestroy(d);
    }
    return 0;
}
