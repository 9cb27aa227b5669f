package org.example.customcell;

import java.lang.foreign.MemorySegment;
import org.example.customcell.kernels.MlstmCifgCell;
import xlstm.runtime.model.MlstmCellKernel;

/**
 * The cell of {@code src/main/xlstm/mlstm_cifg.xl} as the cell of the mLSTM layers of an
 * {@link xlstm.runtime.model.XlstmBlockStack}:
 * {@code XlstmBlockStack.load(config, weights, "", new CifgMlstm())}. {@code MlstmCifgCell} is generated at build
 * time by xlstm-maven-plugin; its recurrence is not of the chunkable form (the forget gate is not an {@code exp}),
 * so it has the {@code step} and {@code sequence} schedules.
 */
public final class CifgMlstm implements MlstmCellKernel {
    private final float eps;

    public CifgMlstm() { this(MlstmCifgCell.DEFAULT_EPS); }

    public CifgMlstm(float eps) { this.eps = eps; }

    @Override
    public void forward(int b, int nh, int s, int dqk, int dv, MemorySegment q, MemorySegment k, MemorySegment v,
                        MemorySegment i, MemorySegment f, MemorySegment c, MemorySegment n, MemorySegment m,
                        MemorySegment h) {
        MlstmCifgCell.sequence(b, nh, s, dqk, dv, q, k, v, i, f, c, n, m, h, eps);
    }

    @Override
    public void step(int b, int nh, int dqk, int dv, MemorySegment q, MemorySegment k, MemorySegment v,
                     MemorySegment i, MemorySegment f, MemorySegment c, MemorySegment n, MemorySegment m,
                     MemorySegment h) {
        MlstmCifgCell.step(b, nh, dqk, dv, q, k, v, i, f, c, n, m, h, eps);
    }

    @Override
    public String toString() { return "mlstm_cifg"; }
}
