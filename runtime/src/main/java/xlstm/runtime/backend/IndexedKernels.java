package xlstm.runtime.backend;

import java.lang.foreign.MemorySegment;
import xlstm.runtime.config.ActivationFn;

/**
 * A {@link KernelBackend} whose every entry point is one generated C-family kernel named as in the target's
 * {@code index.tsv} ({@code mlstm_chunkwise}, {@code softcap_rows_apply}, ...; docs/glue-contract.md, "C-family
 * kernels"): the methods only pass their arguments, in order, to {@link #call}. A device backend implements
 * {@code call} (upload, launch per the index, download) and nothing else.
 */
abstract class IndexedKernels implements KernelBackend {
    /**
     * Runs kernel {@code entry} with {@code args}, the Java entry point's arguments in order ({@code Integer},
     * {@code Float}, {@code Boolean}, {@code MemorySegment}); the trailing scratch buffer is the implementation's.
     */
    abstract void call(String entry, Object... args);

    /** The kernel unit of a gated feed-forward activation ({@code ffn_swiglu}, ...). */
    static String gatedUnit(ActivationFn act) {
        return switch (act) {
            case GELU -> "ffn_gelu";
            case RELU -> "ffn_relu";
            case RELU_SQUARED -> "ffn_relu2";
            case SIGMOID -> "ffn_sigmoid";
            case SWISH -> "ffn_swiglu";
            case SELU -> "ffn_selu";
        };
    }


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
        call(gatedUnit(act) + "_apply", rows, N, g, u, y);
    }
}
