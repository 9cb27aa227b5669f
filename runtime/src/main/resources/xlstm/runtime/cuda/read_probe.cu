// The device's read bandwidth, for the benchmark's decode limit (xlstm.runtime.cuda.ReadProbe): a decode step reads
// its weights and writes almost nothing, so a copy (half its bytes written) understates what it could reach. Every
// thread reads 16-byte words of the buffer past L1, 8 in flight, in a grid-stride loop, and folds them into one word
// that it stores only if it is an unlikely value (so the loads are not dead code). (On the H200, 2026-11-29, this
// read 2 GiB at 4.51-4.53 TB/s with 2 to 16 work-groups of 256 or 512 threads per SM; the copy ran at 4.26.)
// No headers: compiled, after prelude.cu (xl_long), by NVRTC at run time and by nvcc in the tests.

struct __align__(16) xl_p4 { unsigned x, y, z, w; };

static __device__ __forceinline__ xl_p4 xl_probe16(const xl_p4* p) {
    xl_p4 v;
    asm volatile("ld.global.nc.L1::no_allocate.v4.u32 {%0, %1, %2, %3}, [%4];"
                 : "=r"(v.x), "=r"(v.y), "=r"(v.z), "=r"(v.w) : "l"(p));
    return v;
}

// reads words 0 .. n - 1 of p (16 bytes each); sink: one word, written only if the fold is 0x9e3779b9
extern "C" __global__ void xl_read_probe(const xl_p4* p, xl_long n, unsigned* sink) {
    constexpr int L = 8;
    XL_ENTRY(); // as every kernel of the package (a no-op: the probe is not launched as a dependent one)
    const xl_long stride = (xl_long)gridDim.x * blockDim.x;
    xl_long i = (xl_long)blockIdx.x * blockDim.x + threadIdx.x;
    unsigned fold = 0u;
    for (; i + (L - 1) * stride < n; i += L * stride) {
        xl_p4 v[L];
#pragma unroll
        for (int j = 0; j < L; j++) v[j] = xl_probe16(p + i + j * stride);
#pragma unroll
        for (int j = 0; j < L; j++) fold ^= v[j].x ^ v[j].y ^ v[j].z ^ v[j].w;
    }
    for (; i < n; i += stride) {
        const xl_p4 v = xl_probe16(p + i);
        fold ^= v.x ^ v.y ^ v.z ^ v.w;
    }
    if (fold == 0x9e3779b9u) *sink = fold;
}
