// The common start of the device-resident model's hand-written CUDA sources (large_glue.cu, gemv_bf16.cu): the
// loader (GlueKernels.source) puts it before each of them, so every file compiles on its own with NVRTC and nvcc.

// programmatic dependent launch (sm_90): every kernel waits for the previous kernel of the stream to finish (a
// no-op unless it was launched as a dependent one) and lets the next kernel's launch begin (DeviceLarge;
// -Dxlstm.cuda.pdl=false turns the dependent launches off). XL_TRIGGER_FIRST (defined by the loader on request)
// triggers before waiting, so the kernel after this one can be placed, and start what does not depend on us,
// while we still wait; the wait itself stays, so the order of results is the same.
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 900
#define XL_WAIT() asm volatile("griddepcontrol.wait;" ::: "memory")
#define XL_TRIGGER() asm volatile("griddepcontrol.launch_dependents;" ::: "memory")
#else
#define XL_WAIT()
#define XL_TRIGGER()
#endif
#ifdef XL_TRIGGER_FIRST
#define XL_ENTRY() { XL_TRIGGER(); XL_WAIT(); }
#else
#define XL_ENTRY() { XL_WAIT(); XL_TRIGGER(); }
#endif

typedef unsigned short xl_bf16;
typedef long long xl_long;
