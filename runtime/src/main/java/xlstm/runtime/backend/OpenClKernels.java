package xlstm.runtime.backend;

import java.lang.foreign.MemorySegment;
import xlstm.backends.opencl.OpenCl;
import xlstm.runtime.config.ActivationFn;

/**
 * The {@code opencl} backend: each call uploads its tensors to the device, runs the generated OpenCL C kernel of
 * that entry point (classpath {@code xlstm/generated/opencl/<entry>.cl}, built once per context with
 * {@code -cl-std=CL1.2}, no fast math), and copies the states and outputs back. Launch geometry and scratch size
 * come from the folder's {@code index.tsv} (docs/glue-contract.md, "C-family kernels"); the launching is
 * {@link OpenClLauncher}'s, which also runs the kernels of users' own cells (their own folder).
 *
 * <p>Work-group size: {@code -Dxlstm.opencl.local=N} (default 64), capped by what the kernel allows on the device.
 * Device buffers are pooled by size and reused. Calls are serialised (one queue).
 */
public final class OpenClKernels implements KernelBackend {
    /** Where the emitter puts the OpenCL sources of the project's own kernels (docs/glue-contract.md). */
    public static final String FOLDER = "xlstm/generated/opencl";

    private static volatile KernelIndex index;

    private final OpenClLauncher launcher;

    private OpenClKernels(OpenClLauncher launcher) {
        this.launcher = launcher;
    }

    private static OpenClKernels shared;

    /** The backend on {@link OpenCl#context()}; throws {@link IllegalStateException} with the reason when unavailable. */
    public static synchronized OpenClKernels get() {
        if (shared == null) {
            String why = unavailableReason();
            if (why != null) throw new IllegalStateException(why);
            shared = new OpenClKernels(OpenClLauncher.forFolder(FOLDER));
        }
        return shared;
    }

    /** The kernel index of this build, or null when the build has no OpenCL kernels. */
    static KernelIndex index() {
        KernelIndex i = index;
        if (i == null) {
            i = KernelIndex.load(FOLDER);
            index = i;
        }
        return i;
    }

    /** Why the backend cannot run here (no OpenCL device, or no generated OpenCL kernels), or null. */
    static String unavailableReason() {
        OpenCl.Probe p = OpenCl.probe();
        if (!p.available()) return p.problem();
        KernelIndex i = index();
        if (i == null || i.size() == 0) {
            return "this build has no OpenCL kernels (" + FOLDER + "/index.tsv is not on the class path)";
        }
        return null;
    }

    @Override public String name() { return "opencl"; }

    @Override public String device() { return launcher.device(); }

    @Override public String toString() { return "opencl"; }

    /** Runs the project's kernel {@code entry} with the Java entry point's arguments ({@link OpenClLauncher#call}). */
    void call(String entry, Object... args) {
        launcher.call(entry, args);
    }

    // ------------------------------------------------------------------ KernelBackend

    @Override
    public void mlstmStep(int B, int NH, int DQK, int DV, MemorySegment q, MemorySegment k, MemorySegment v,
            MemorySegment i, MemorySegment f, MemorySegment C, MemorySegment n, MemorySegment m, MemorySegment h,
            float eps) {
        call("mlstm_step", B, NH, DQK, DV, q, k, v, i, f, C, n, m, h, eps);
    }

    @Override
    public void mlstmSequence(int B, int NH, int S, int DQK, int DV, MemorySegment q, MemorySegment k,
            MemorySegment v, MemorySegment i, MemorySegment f, MemorySegment C, MemorySegment n, MemorySegment m,
            MemorySegment h, float eps) {
        call("mlstm_sequence", B, NH, S, DQK, DV, q, k, v, i, f, C, n, m, h, eps);
    }

    @Override
    public void mlstmChunkwise(int B, int NH, int S, int DQK, int DV, int chunkSize, MemorySegment q,
            MemorySegment k, MemorySegment v, MemorySegment i, MemorySegment f, MemorySegment C, MemorySegment n,
            MemorySegment m, MemorySegment h, float eps) {
        call("mlstm_chunkwise", B, NH, S, DQK, DV, chunkSize, q, k, v, i, f, C, n, m, h, eps);
    }

    @Override
    public void mlstmParallel(int B, int NH, int S, int DQK, int DV, MemorySegment q, MemorySegment k,
            MemorySegment v, MemorySegment i, MemorySegment f, MemorySegment h, float eps) {
        call("mlstm_parallel", B, NH, S, DQK, DV, q, k, v, i, f, h, eps);
    }

    @Override
    public void mlstmSigStep(int B, int NH, int DQK, int DV, MemorySegment q, MemorySegment k, MemorySegment v,
            MemorySegment i, MemorySegment f, MemorySegment C, MemorySegment n, MemorySegment h, float eps,
            boolean normalize) {
        call("mlstm_sig_step", B, NH, DQK, DV, q, k, v, i, f, C, n, h, eps, normalize);
    }

    @Override
    public void mlstmSigSequence(int B, int NH, int S, int DQK, int DV, MemorySegment q, MemorySegment k,
            MemorySegment v, MemorySegment i, MemorySegment f, MemorySegment C, MemorySegment n, MemorySegment h,
            float eps, boolean normalize) {
        call("mlstm_sig_sequence", B, NH, S, DQK, DV, q, k, v, i, f, C, n, h, eps, normalize);
    }

    @Override
    public void mlstmSigChunkwise(int B, int NH, int S, int DQK, int DV, int chunkSize, MemorySegment q,
            MemorySegment k, MemorySegment v, MemorySegment i, MemorySegment f, MemorySegment C, MemorySegment n,
            MemorySegment h, float eps, boolean normalize) {
        call("mlstm_sig_chunkwise", B, NH, S, DQK, DV, chunkSize, q, k, v, i, f, C, n, h, eps, normalize);
    }

    @Override
    public void mlstmSigParallel(int B, int NH, int S, int DQK, int DV, MemorySegment q, MemorySegment k,
            MemorySegment v, MemorySegment i, MemorySegment f, MemorySegment h, float eps, boolean normalize) {
        call("mlstm_sig_parallel", B, NH, S, DQK, DV, q, k, v, i, f, h, eps, normalize);
    }

    @Override
    public void slstmStep(int B, int NH, int DH, MemorySegment xi, MemorySegment xf, MemorySegment xz,
            MemorySegment xo, MemorySegment Ri, MemorySegment Rf, MemorySegment Rz, MemorySegment Ro,
            MemorySegment bi, MemorySegment bf, MemorySegment bz, MemorySegment bo, MemorySegment y, MemorySegment c,
            MemorySegment n, MemorySegment m, MemorySegment h) {
        call("slstm_step", B, NH, DH, xi, xf, xz, xo, Ri, Rf, Rz, Ro, bi, bf, bz, bo, y, c, n, m, h);
    }

    @Override
    public void slstmSequence(int B, int NH, int S, int DH, MemorySegment xi, MemorySegment xf, MemorySegment xz,
            MemorySegment xo, MemorySegment Ri, MemorySegment Rf, MemorySegment Rz, MemorySegment Ro,
            MemorySegment bi, MemorySegment bf, MemorySegment bz, MemorySegment bo, MemorySegment y, MemorySegment c,
            MemorySegment n, MemorySegment m, MemorySegment h) {
        call("slstm_sequence", B, NH, S, DH, xi, xf, xz, xo, Ri, Rf, Rz, Ro, bi, bf, bz, bo, y, c, n, m, h);
    }

    @Override
    public void lstmStep(int B, int NH, int DH, MemorySegment xi, MemorySegment xf, MemorySegment xz,
            MemorySegment xo, MemorySegment Ri, MemorySegment Rf, MemorySegment Rz, MemorySegment Ro,
            MemorySegment bi, MemorySegment bf, MemorySegment bz, MemorySegment bo, MemorySegment y, MemorySegment c,
            MemorySegment h) {
        call("lstm_step", B, NH, DH, xi, xf, xz, xo, Ri, Rf, Rz, Ro, bi, bf, bz, bo, y, c, h);
    }

    @Override
    public void lstmSequence(int B, int NH, int S, int DH, MemorySegment xi, MemorySegment xf, MemorySegment xz,
            MemorySegment xo, MemorySegment Ri, MemorySegment Rf, MemorySegment Rz, MemorySegment Ro,
            MemorySegment bi, MemorySegment bf, MemorySegment bz, MemorySegment bo, MemorySegment y, MemorySegment c,
            MemorySegment h) {
        call("lstm_sequence", B, NH, S, DH, xi, xf, xz, xo, Ri, Rf, Rz, Ro, bi, bf, bz, bo, y, c, h);
    }

    @Override
    public void softcapRows(int rows, int N, MemorySegment x, MemorySegment y, float cap) {
        call("softcap_rows_apply", rows, N, x, y, cap);
    }

    @Override
    public void siluRows(int rows, int N, MemorySegment x, MemorySegment y) {
        call("silu_rows_apply", rows, N, x, y);
    }

    @Override
    public void sigmoidGate(int rows, int N, MemorySegment o, MemorySegment h, MemorySegment y) {
        call("sigmoid_gate_apply", rows, N, o, h, y);
    }

    @Override
    public void mlstmSkipGate(int rows, int N, MemorySegment h, MemorySegment xc, MemorySegment z,
            MemorySegment skip, MemorySegment y) {
        call("mlstm_skip_gate_apply", rows, N, h, xc, z, skip, y);
    }

    @Override
    public void gatedActivation(ActivationFn act, int rows, int N, MemorySegment g, MemorySegment u, MemorySegment y) {
        String unit = switch (act) {
            case GELU -> "ffn_gelu";
            case RELU -> "ffn_relu";
            case RELU_SQUARED -> "ffn_relu2";
            case SIGMOID -> "ffn_sigmoid";
            case SWISH -> "ffn_swiglu";
            case SELU -> "ffn_selu";
        };
        call(unit + "_apply", rows, N, g, u, y);
    }
}
