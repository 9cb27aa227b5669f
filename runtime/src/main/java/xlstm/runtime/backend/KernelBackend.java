package xlstm.runtime.backend;

import java.lang.foreign.MemorySegment;
import xlstm.runtime.config.ActivationFn;

/**
 * Where the models run their generated kernels: the cell schedules and the pointwise kernels of
 * {@code generated/src/main/xlstm}. Every method has exactly the arguments of the generated Java entry point of the
 * same name (docs/glue-contract.md: dims first, then inputs, weights, states, outputs, then params; contiguous
 * row-major float32 segments; states read and updated in place), so an implementation is a thin launcher.
 *
 * <p>Linear algebra (matrix products, norms, the convolution, layout changes) is not part of this interface: it
 * stays in Java ({@code CpuOps}) on every backend for now. A device implementation therefore copies its tensors
 * to the device and back on every call.
 */
public interface KernelBackend {
    /** The name {@code --backend} and {@code -Dxlstm.backend} take ({@code cpu}, {@code opencl}). */
    String name();

    /** The device in words, for logs and {@code xlstm devices}. */
    String device();

    // ------------------------------------------------------------------ mlstm (cells/mlstm.xl)

    void mlstmStep(int B, int NH, int DQK, int DV, MemorySegment q, MemorySegment k, MemorySegment v,
            MemorySegment i, MemorySegment f, MemorySegment C, MemorySegment n, MemorySegment m, MemorySegment h,
            float eps);

    void mlstmSequence(int B, int NH, int S, int DQK, int DV, MemorySegment q, MemorySegment k, MemorySegment v,
            MemorySegment i, MemorySegment f, MemorySegment C, MemorySegment n, MemorySegment m, MemorySegment h,
            float eps);

    void mlstmChunkwise(int B, int NH, int S, int DQK, int DV, int chunkSize, MemorySegment q, MemorySegment k,
            MemorySegment v, MemorySegment i, MemorySegment f, MemorySegment C, MemorySegment n, MemorySegment m,
            MemorySegment h, float eps);

    void mlstmParallel(int B, int NH, int S, int DQK, int DV, MemorySegment q, MemorySegment k, MemorySegment v,
            MemorySegment i, MemorySegment f, MemorySegment h, float eps);

    // ------------------------------------------------------------------ mlstm_sig (cells/mlstm_sig.xl)

    void mlstmSigStep(int B, int NH, int DQK, int DV, MemorySegment q, MemorySegment k, MemorySegment v,
            MemorySegment i, MemorySegment f, MemorySegment C, MemorySegment n, MemorySegment h, float eps,
            boolean normalize);

    void mlstmSigSequence(int B, int NH, int S, int DQK, int DV, MemorySegment q, MemorySegment k, MemorySegment v,
            MemorySegment i, MemorySegment f, MemorySegment C, MemorySegment n, MemorySegment h, float eps,
            boolean normalize);

    void mlstmSigChunkwise(int B, int NH, int S, int DQK, int DV, int chunkSize, MemorySegment q, MemorySegment k,
            MemorySegment v, MemorySegment i, MemorySegment f, MemorySegment C, MemorySegment n, MemorySegment h,
            float eps, boolean normalize);

    void mlstmSigParallel(int B, int NH, int S, int DQK, int DV, MemorySegment q, MemorySegment k, MemorySegment v,
            MemorySegment i, MemorySegment f, MemorySegment h, float eps, boolean normalize);

    // ------------------------------------------------------------------ slstm, lstm (cells/slstm.xl, cells/lstm.xl)

    void slstmStep(int B, int NH, int DH, MemorySegment xi, MemorySegment xf, MemorySegment xz, MemorySegment xo,
            MemorySegment Ri, MemorySegment Rf, MemorySegment Rz, MemorySegment Ro, MemorySegment bi,
            MemorySegment bf, MemorySegment bz, MemorySegment bo, MemorySegment y, MemorySegment c, MemorySegment n,
            MemorySegment m, MemorySegment h);

    void slstmSequence(int B, int NH, int S, int DH, MemorySegment xi, MemorySegment xf, MemorySegment xz,
            MemorySegment xo, MemorySegment Ri, MemorySegment Rf, MemorySegment Rz, MemorySegment Ro,
            MemorySegment bi, MemorySegment bf, MemorySegment bz, MemorySegment bo, MemorySegment y, MemorySegment c,
            MemorySegment n, MemorySegment m, MemorySegment h);

    void lstmStep(int B, int NH, int DH, MemorySegment xi, MemorySegment xf, MemorySegment xz, MemorySegment xo,
            MemorySegment Ri, MemorySegment Rf, MemorySegment Rz, MemorySegment Ro, MemorySegment bi,
            MemorySegment bf, MemorySegment bz, MemorySegment bo, MemorySegment y, MemorySegment c, MemorySegment h);

    void lstmSequence(int B, int NH, int S, int DH, MemorySegment xi, MemorySegment xf, MemorySegment xz,
            MemorySegment xo, MemorySegment Ri, MemorySegment Rf, MemorySegment Rz, MemorySegment Ro,
            MemorySegment bi, MemorySegment bf, MemorySegment bz, MemorySegment bo, MemorySegment y, MemorySegment c,
            MemorySegment h);

    // ------------------------------------------------------------------ pointwise kernels (blocks/pointwise.xl)

    /** {@code y = cap * tanh(x / cap)} on rows of N. */
    void softcapRows(int rows, int N, MemorySegment x, MemorySegment y, float cap);

    /** {@code y = silu(x)}. */
    void siluRows(int rows, int N, MemorySegment x, MemorySegment y);

    /** {@code y = sigmoid(o) * h}. */
    void sigmoidGate(int rows, int N, MemorySegment o, MemorySegment h, MemorySegment y);

    /** {@code y = (h + skip * xc) * silu(z)}, skip (N). */
    void mlstmSkipGate(int rows, int N, MemorySegment h, MemorySegment xc, MemorySegment z, MemorySegment skip,
            MemorySegment y);

    /** The gated feed-forward's {@code y = act(g) * u} (kernels {@code ffn_swiglu}, {@code ffn_gelu}, ...). */
    void gatedActivation(ActivationFn act, int rows, int N, MemorySegment g, MemorySegment u, MemorySegment y);
}
