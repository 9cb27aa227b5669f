/*
 * Builds OpenCL C files with the first OpenCL platform's first device (PoCL in CI) and checks that each defines
 * the kernel named like the file: clbuild FILE.cl... ; prints "ok NAME" or the build log, exits 1 on any failure,
 * 3 when there is no OpenCL platform/device. Compiled and run by CFamilyToolchainTest.
 */
#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    cl_platform_id platform;
    cl_uint np = 0;
    if (clGetPlatformIDs(1, &platform, &np) != CL_SUCCESS || np == 0) { fprintf(stderr, "no OpenCL platform\n"); return 3; }
    cl_device_id device;
    cl_uint nd = 0;
    if (clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 1, &device, &nd) != CL_SUCCESS || nd == 0) { fprintf(stderr, "no OpenCL device\n"); return 3; }
    char name[256] = {0};
    clGetDeviceInfo(device, CL_DEVICE_NAME, sizeof name - 1, name, NULL);
    printf("device %s\n", name);
    cl_int err;
    cl_context ctx = clCreateContext(NULL, 1, &device, NULL, NULL, &err);
    if (err != CL_SUCCESS) { fprintf(stderr, "clCreateContext: %d\n", err); return 3; }
    int failed = 0;
    for (int a = 1; a < argc; a++) {
        size_t len;
        char *src = slurp(argv[a], &len);
        if (!src) { fprintf(stderr, "%s: cannot read\n", argv[a]); failed = 1; continue; }
        const char *srcs[] = {src};
        cl_program prog = clCreateProgramWithSource(ctx, 1, srcs, &len, &err);
        err = clBuildProgram(prog, 1, &device, "-cl-std=CL1.2 -Werror", NULL, NULL);
        if (err != CL_SUCCESS) {
            size_t n = 0;
            clGetProgramBuildInfo(prog, device, CL_PROGRAM_BUILD_LOG, 0, NULL, &n);
            char *log = malloc(n + 1);
            clGetProgramBuildInfo(prog, device, CL_PROGRAM_BUILD_LOG, n, log, NULL);
            log[n] = 0;
            fprintf(stderr, "%s: clBuildProgram failed (%d):\n%s\n", argv[a], err, log);
            free(log);
            failed = 1;
        } else {
            /* the kernel is named like the file */
            const char *base = strrchr(argv[a], '/');
            base = base ? base + 1 : argv[a];
            char kname[512];
            snprintf(kname, sizeof kname, "%s", base);
            char *dot = strrchr(kname, '.');
            if (dot) *dot = 0;
            cl_kernel k = clCreateKernel(prog, kname, &err);
            if (err != CL_SUCCESS) { fprintf(stderr, "%s: no kernel %s (%d)\n", argv[a], kname, err); failed = 1; }
            else {
                cl_uint nargs = 0;
                clGetKernelInfo(k, CL_KERNEL_NUM_ARGS, sizeof nargs, &nargs, NULL);
                printf("ok %s %u\n", kname, nargs);
                clReleaseKernel(k);
            }
        }
        clReleaseProgram(prog);
        free(src);
    }
    clReleaseContext(ctx);
    return failed;
}
