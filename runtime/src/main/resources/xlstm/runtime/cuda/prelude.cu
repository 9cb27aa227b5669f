// The common start of the device-resident model's hand-written CUDA sources (large_glue.cu, gemv_bf16.cu): the
// loader (GlueKernels.source) puts it before each of them, so every file compiles on its own with NVRTC and nvcc.

// programmatic dependent launch (sm_90): every kernel first waits for the previous kernel of the stream to finish
// (a no-op unless it was launched as a dependent one), then lets the next kernel's launch begin: only the launch
// latency overlaps (DeviceLarge; -Dxlstm.cuda.pdl=false turns the dependent launches off)
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
#define XL_ENTRY() { asm volatile("griddepcontrol.wait;" ::: "memory"); asm volatile("griddepcontrol.launch_dependents;" ::: "memory"); }
#else
#define XL_ENTRY() {}
#endif

typedef unsigned short xl_bf16;
typedef long long xl_long;
