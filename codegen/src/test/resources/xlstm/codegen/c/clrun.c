/*
 * Runs one OpenCL kernel on the first device (PoCL in CI): clrun FILE.cl ENTRY JOB OUT.
 * JOB (little endian): int64 global, int64 local, int32 nargs, then per argument int32 kind and its value:
 *   0 int: int32; 1 float: float32; 2 buffer: int64 n, n float32; 3 NULL buffer.
 * OUT: every buffer argument after the run, in order: int64 n, n float32.
 * Exit 0 ok, 1 failure (message on stderr), 3 no OpenCL platform/device. Used by CFamilyNumericsTest.
 */
#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define CHECK(x, what) do { cl_int _e = (x); if (_e != CL_SUCCESS) { fprintf(stderr, "%s failed: %d\n", what, _e); return 1; } } while (0)

static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) { fclose(f); free(buf); return NULL; }
    buf[n] = 0;
    fclose(f);
    *len = (size_t)n;
    return buf;
}

int main(int argc, char **argv) {
    if (argc != 5) { fprintf(stderr, "usage: clrun FILE.cl ENTRY JOB OUT\n"); return 1; }
    cl_platform_id platform;
    cl_uint np = 0;
    if (clGetPlatformIDs(1, &platform, &np) != CL_SUCCESS || np == 0) { fprintf(stderr, "no OpenCL platform\n"); return 3; }
    cl_device_id device;
    cl_uint nd = 0;
    if (clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 1, &device, &nd) != CL_SUCCESS || nd == 0) { fprintf(stderr, "no OpenCL device\n"); return 3; }
    cl_int err;
    cl_context ctx = clCreateContext(NULL, 1, &device, NULL, NULL, &err);
    CHECK(err, "clCreateContext");
    cl_command_queue q = clCreateCommandQueue(ctx, device, 0, &err);
    CHECK(err, "clCreateCommandQueue");
    size_t len;
    char *src = slurp(argv[1], &len);
    if (!src) { fprintf(stderr, "%s: cannot read\n", argv[1]); return 1; }
    const char *srcs[] = {src};
    cl_program prog = clCreateProgramWithSource(ctx, 1, srcs, &len, &err);
    CHECK(err, "clCreateProgramWithSource");
    if (clBuildProgram(prog, 1, &device, "-cl-std=CL1.2", NULL, NULL) != CL_SUCCESS) {
        size_t n = 0;
        clGetProgramBuildInfo(prog, device, CL_PROGRAM_BUILD_LOG, 0, NULL, &n);
        char *log = malloc(n + 1);
        clGetProgramBuildInfo(prog, device, CL_PROGRAM_BUILD_LOG, n, log, NULL);
        log[n] = 0;
        fprintf(stderr, "build failed:\n%s\n", log);
        return 1;
    }
    cl_kernel k = clCreateKernel(prog, argv[2], &err);
    CHECK(err, "clCreateKernel");

    size_t jl;
    char *job = slurp(argv[3], &jl), *p = job;
    if (!job) { fprintf(stderr, "%s: cannot read\n", argv[3]); return 1; }
    int64_t global = *(int64_t *)p; p += 8;
    int64_t local = *(int64_t *)p; p += 8;
    int32_t nargs = *(int32_t *)p; p += 4;
    cl_mem *mems = calloc((size_t)nargs, sizeof(cl_mem));
    int64_t *sizes = calloc((size_t)nargs, sizeof(int64_t));
    for (int a = 0; a < nargs; a++) {
        int32_t kind = *(int32_t *)p; p += 4;
        if (kind == 0) { CHECK(clSetKernelArg(k, a, 4, p), "clSetKernelArg(int)"); p += 4; }
        else if (kind == 1) { CHECK(clSetKernelArg(k, a, 4, p), "clSetKernelArg(float)"); p += 4; }
        else if (kind == 2) {
            int64_t n = *(int64_t *)p; p += 8;
            sizes[a] = n;
            mems[a] = clCreateBuffer(ctx, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, (size_t)(n > 0 ? n : 1) * 4, p, &err);
            CHECK(err, "clCreateBuffer");
            p += n * 4;
            CHECK(clSetKernelArg(k, a, sizeof(cl_mem), &mems[a]), "clSetKernelArg(buffer)");
        } else {
            sizes[a] = -1;
            CHECK(clSetKernelArg(k, a, sizeof(cl_mem), NULL), "clSetKernelArg(NULL)");
        }
    }
    size_t g = (size_t)global, l = (size_t)local;
    CHECK(clEnqueueNDRangeKernel(q, k, 1, NULL, &g, &l, 0, NULL, NULL), "clEnqueueNDRangeKernel");
    CHECK(clFinish(q), "clFinish");
    FILE *out = fopen(argv[4], "wb");
    if (!out) { fprintf(stderr, "%s: cannot write\n", argv[4]); return 1; }
    for (int a = 0; a < nargs; a++) {
        if (!mems[a]) continue;
        int64_t n = sizes[a];
        float *buf = malloc((size_t)(n > 0 ? n : 1) * 4);
        CHECK(clEnqueueReadBuffer(q, mems[a], CL_TRUE, 0, (size_t)n * 4, buf, 0, NULL, NULL), "clEnqueueReadBuffer");
        fwrite(&n, 8, 1, out);
        fwrite(buf, 4, (size_t)n, out);
        free(buf);
        clReleaseMemObject(mems[a]);
    }
    fclose(out);
    return 0;
}
