// How fast one kernel that only reads can go at the sizes of the 7B decode step's products (scripts/gpu-read-sizes.sh):
// each size read by the bench's read kernel (read_probe.cu: 16-byte loads past L1, 8 in flight; 2/4/8 work-groups
// of 256/512 threads per SM, the best kept), launched alone after a 256 MB memset that pushes the buffer out of L2, median of 20 after
// one warm-up, timed with CUDA events. Set against the launch-by-launch profile of a decode step (xlstm bench
// --profile), it says how far each product kernel is from the fastest kernel that reads the same bytes.
#include <cstdio>
#include <vector>
#include <algorithm>
// the bench's read kernel itself (xl_read_probe, ReadProbe), after the prelude that defines XL_ENTRY and xl_long
#include "../runtime/src/main/resources/xlstm/runtime/cuda/prelude.cu"
#include "../runtime/src/main/resources/xlstm/runtime/cuda/read_probe.cu"
static void* flushBuf;
float run(const xl_p4* p, long n, unsigned* out, int blocksPerSm, int sms, int threads) {
    cudaEvent_t a, b; cudaEventCreate(&a); cudaEventCreate(&b);
    std::vector<float> t;
    for (int r = 0; r < 21; r++) {
        cudaMemsetAsync(flushBuf, r, 256ull << 20);
        cudaEventRecord(a);
        xl_read_probe<<<sms * blocksPerSm, threads>>>(p, n, out);
        cudaEventRecord(b); cudaEventSynchronize(b);
        float ms; cudaEventElapsedTime(&ms, a, b); if (r) t.push_back(ms);
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}
int main() {
    size_t maxBytes = 2ull << 30;
    xl_p4* p; unsigned* out;
    cudaMalloc(&p, maxBytes); cudaMalloc(&flushBuf, 256ull << 20); cudaMalloc(&out, 4);
    cudaMemset(p, 1, maxBytes);
    int sms; cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, 0);
    // the 7B decode products' sizes: out 4096x4096, qkvo 12304x4096, down 4096x10944, gate|up 21888x4096, head 50304x4096 (bf16)
    size_t sizes[] = {33554432ull, 100794368ull, 89653248ull, 179306496ull, 412090368ull, maxBytes};
    for (size_t bytes : sizes) {
        long n = bytes / 16;
        float best = 1e9; int bb = 0, bt = 0;
        for (int bps : {2, 4, 8}) for (int th : {256, 512}) {
            float m = run(p, n, out, bps, sms, th);
            if (m < best) { best = m; bb = bps; bt = th; }
        }
        printf("read %8.1f MB: %.2f us, %.0f GB/s (best of blocks/SM 2,4,8 x 256,512: %d x %d)\n", bytes / 1e6, best * 1e3, bytes / (best * 1e6), bb, bt);
    }
    return 0;
}
