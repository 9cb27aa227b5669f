package xlstm.runtime.backend;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import xlstm.backends.Flags;
import xlstm.backends.cpu.CpuParallel;
import xlstm.backends.cpu.KernelMode;
import xlstm.generated.FfnGeluKernel;
import xlstm.generated.FfnRelu2Kernel;
import xlstm.generated.FfnReluKernel;
import xlstm.generated.FfnSeluKernel;
import xlstm.generated.FfnSigmoidKernel;
import xlstm.generated.FfnSwigluKernel;
import xlstm.generated.LstmCell;
import xlstm.generated.MlstmCell;
import xlstm.generated.MlstmSigCell;
import xlstm.generated.MlstmSkipGateKernel;
import xlstm.generated.SigmoidGateKernel;
import xlstm.generated.SiluRowsKernel;
import xlstm.generated.SlstmCell;
import xlstm.generated.SoftcapRowsKernel;
import xlstm.runtime.config.ActivationFn;

/** The default backend, {@code cpu}: the generated Java Vector API kernels (module {@code generated}), called directly. */
public final class JavaKernels implements KernelBackend {
    public static final JavaKernels INSTANCE = new JavaKernels();

    /**
     * Decode steps run {@code stepTiled}: one pass over C per step, and with fewer (b, h) pairs than threads each
     * head's value columns split into tiles as well, so that one sequence of 4 heads does not leave most cores idle;
     * {@code -Dxlstm.cpu.stepTiles=false} runs the step with one task per (b, h), to compare.
     */
    static final boolean STEP_TILES = Flags.boolFlag("xlstm.cpu.stepTiles", true);

    /** Tile widths are whole cache lines and whole vectors, so that the tiled step's results are the step's. */
    private static final int TILE_UNIT = Math.max(16, FloatVector.SPECIES_PREFERRED.length());

    private JavaKernels() {}

    /** The value columns per task of a decode step on this machine, 0 for the untiled step. */
    static int stepTile(int pairs, int dv) {
        return STEP_TILES ? stepTile(pairs, dv, CpuParallel.threads(), TILE_UNIT) : 0;
    }

    /**
     * About one task per thread: each of the {@code pairs} heads in {@code ceil(threads / pairs)} tiles of whole
     * {@code unit}s of columns; a whole head per task ({@code dv}) when the pairs alone fill the threads.
     */
    static int stepTile(int pairs, int dv, int threads, int unit) {
        if (pairs >= threads || pairs <= 0) return Math.max(1, dv);
        int perHead = (threads + pairs - 1) / pairs;
        return Math.max(1, Math.min(dv, ((dv + perHead - 1) / perHead + unit - 1) / unit * unit));
    }

    @Override public String name() { return "cpu"; }

    @Override
    public String device() {
        var species = FloatVector.SPECIES_PREFERRED;
        return "Java Vector API, FloatVector.SPECIES_PREFERRED = " + species.vectorBitSize() + " bits ("
                + species.length() + " float lanes), " + CpuParallel.threads() + " threads (-Dxlstm.threads=N), "
                + (KernelMode.scalar() ? "scalar kernels forced (-Dxlstm.kernels.scalar=true)" : "vector kernels")
                + (STEP_TILES ? "" : ", untiled decode steps (-Dxlstm.cpu.stepTiles=false)");
    }

    @Override
    public void mlstmStep(int B, int NH, int DQK, int DV, MemorySegment q, MemorySegment k, MemorySegment v,
            MemorySegment i, MemorySegment f, MemorySegment C, MemorySegment n, MemorySegment m, MemorySegment h,
            float eps) {
        int tile = stepTile(B * NH, DV);
        if (tile > 0) MlstmCell.stepTiled(B, NH, DQK, DV, tile, q, k, v, i, f, C, n, m, h, eps);
        else MlstmCell.step(B, NH, DQK, DV, q, k, v, i, f, C, n, m, h, eps);
    }

    @Override
    public void mlstmSequence(int B, int NH, int S, int DQK, int DV, MemorySegment q, MemorySegment k,
            MemorySegment v, MemorySegment i, MemorySegment f, MemorySegment C, MemorySegment n, MemorySegment m,
            MemorySegment h, float eps) {
        MlstmCell.sequence(B, NH, S, DQK, DV, q, k, v, i, f, C, n, m, h, eps);
    }

    @Override
    public void mlstmChunkwise(int B, int NH, int S, int DQK, int DV, int chunkSize, MemorySegment q,
            MemorySegment k, MemorySegment v, MemorySegment i, MemorySegment f, MemorySegment C, MemorySegment n,
            MemorySegment m, MemorySegment h, float eps) {
        MlstmCell.chunkwise(B, NH, S, DQK, DV, chunkSize, q, k, v, i, f, C, n, m, h, eps);
    }

    @Override
    public void mlstmParallel(int B, int NH, int S, int DQK, int DV, MemorySegment q, MemorySegment k,
            MemorySegment v, MemorySegment i, MemorySegment f, MemorySegment h, float eps) {
        MlstmCell.parallel(B, NH, S, DQK, DV, q, k, v, i, f, h, eps);
    }

    @Override
    public void mlstmSigStep(int B, int NH, int DQK, int DV, MemorySegment q, MemorySegment k, MemorySegment v,
            MemorySegment i, MemorySegment f, MemorySegment C, MemorySegment n, MemorySegment h, float eps,
            boolean normalize) {
        int tile = stepTile(B * NH, DV);
        if (tile > 0) MlstmSigCell.stepTiled(B, NH, DQK, DV, tile, q, k, v, i, f, C, n, h, eps, normalize);
        else MlstmSigCell.step(B, NH, DQK, DV, q, k, v, i, f, C, n, h, eps, normalize);
    }

    @Override
    public void mlstmSigSequence(int B, int NH, int S, int DQK, int DV, MemorySegment q, MemorySegment k,
            MemorySegment v, MemorySegment i, MemorySegment f, MemorySegment C, MemorySegment n, MemorySegment h,
            float eps, boolean normalize) {
        MlstmSigCell.sequence(B, NH, S, DQK, DV, q, k, v, i, f, C, n, h, eps, normalize);
    }

    @Override
    public void mlstmSigChunkwise(int B, int NH, int S, int DQK, int DV, int chunkSize, MemorySegment q,
            MemorySegment k, MemorySegment v, MemorySegment i, MemorySegment f, MemorySegment C, MemorySegment n,
            MemorySegment h, float eps, boolean normalize) {
        MlstmSigCell.chunkwise(B, NH, S, DQK, DV, chunkSize, q, k, v, i, f, C, n, h, eps, normalize);
    }

    @Override
    public void mlstmSigParallel(int B, int NH, int S, int DQK, int DV, MemorySegment q, MemorySegment k,
            MemorySegment v, MemorySegment i, MemorySegment f, MemorySegment h, float eps, boolean normalize) {
        MlstmSigCell.parallel(B, NH, S, DQK, DV, q, k, v, i, f, h, eps, normalize);
    }

    @Override
    public void slstmStep(int B, int NH, int DH, MemorySegment xi, MemorySegment xf, MemorySegment xz,
            MemorySegment xo, MemorySegment Ri, MemorySegment Rf, MemorySegment Rz, MemorySegment Ro,
            MemorySegment bi, MemorySegment bf, MemorySegment bz, MemorySegment bo, MemorySegment y, MemorySegment c,
            MemorySegment n, MemorySegment m, MemorySegment h) {
        SlstmCell.step(B, NH, DH, xi, xf, xz, xo, Ri, Rf, Rz, Ro, bi, bf, bz, bo, y, c, n, m, h);
    }

    @Override
    public void slstmSequence(int B, int NH, int S, int DH, MemorySegment xi, MemorySegment xf, MemorySegment xz,
            MemorySegment xo, MemorySegment Ri, MemorySegment Rf, MemorySegment Rz, MemorySegment Ro,
            MemorySegment bi, MemorySegment bf, MemorySegment bz, MemorySegment bo, MemorySegment y, MemorySegment c,
            MemorySegment n, MemorySegment m, MemorySegment h) {
        SlstmCell.sequence(B, NH, S, DH, xi, xf, xz, xo, Ri, Rf, Rz, Ro, bi, bf, bz, bo, y, c, n, m, h);
    }

    @Override
    public void lstmStep(int B, int NH, int DH, MemorySegment xi, MemorySegment xf, MemorySegment xz,
            MemorySegment xo, MemorySegment Ri, MemorySegment Rf, MemorySegment Rz, MemorySegment Ro,
            MemorySegment bi, MemorySegment bf, MemorySegment bz, MemorySegment bo, MemorySegment y, MemorySegment c,
            MemorySegment h) {
        LstmCell.step(B, NH, DH, xi, xf, xz, xo, Ri, Rf, Rz, Ro, bi, bf, bz, bo, y, c, h);
    }

    @Override
    public void lstmSequence(int B, int NH, int S, int DH, MemorySegment xi, MemorySegment xf, MemorySegment xz,
            MemorySegment xo, MemorySegment Ri, MemorySegment Rf, MemorySegment Rz, MemorySegment Ro,
            MemorySegment bi, MemorySegment bf, MemorySegment bz, MemorySegment bo, MemorySegment y, MemorySegment c,
            MemorySegment h) {
        LstmCell.sequence(B, NH, S, DH, xi, xf, xz, xo, Ri, Rf, Rz, Ro, bi, bf, bz, bo, y, c, h);
    }

    @Override
    public void softcapRows(int rows, int N, MemorySegment x, MemorySegment y, float cap) {
        SoftcapRowsKernel.apply(rows, N, x, y, cap);
    }

    @Override
    public void siluRows(int rows, int N, MemorySegment x, MemorySegment y) {
        SiluRowsKernel.apply(rows, N, x, y);
    }

    @Override
    public void sigmoidGate(int rows, int N, MemorySegment o, MemorySegment h, MemorySegment y) {
        SigmoidGateKernel.apply(rows, N, o, h, y);
    }

    @Override
    public void mlstmSkipGate(int rows, int N, MemorySegment h, MemorySegment xc, MemorySegment z,
            MemorySegment skip, MemorySegment y) {
        MlstmSkipGateKernel.apply(rows, N, h, xc, z, skip, y);
    }

    @Override
    public void gatedActivation(ActivationFn act, int rows, int N, MemorySegment g, MemorySegment u, MemorySegment y) {
        switch (act) {
            case GELU -> FfnGeluKernel.apply(rows, N, g, u, y);
            case RELU -> FfnReluKernel.apply(rows, N, g, u, y);
            case RELU_SQUARED -> FfnRelu2Kernel.apply(rows, N, g, u, y);
            case SIGMOID -> FfnSigmoidKernel.apply(rows, N, g, u, y);
            case SWISH -> FfnSwigluKernel.apply(rows, N, g, u, y);
            case SELU -> FfnSeluKernel.apply(rows, N, g, u, y);
        }
    }

    @Override public String toString() { return "cpu"; }
}
