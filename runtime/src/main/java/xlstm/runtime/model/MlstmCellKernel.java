package xlstm.runtime.model;

import java.lang.foreign.MemorySegment;
import xlstm.generated.MlstmCell;

/**
 * The cell that the mLSTM layers of an {@link XlstmBlockStack} run: the project's mLSTM ({@link #MLSTM}, the
 * default) or any other cell with its interface, typically one written in the DSL and compiled by
 * {@code xlstm-maven-plugin} (see {@code examples/custom-cell}). The interface is that of a DSL cell
 * <pre>
 *   cell NAME(DQK, DV) {
 *     input  q: vec[DQK], k: vec[DQK], v: vec[DV], i: scalar, f: scalar   // i, f: input and forget gate pre-activations
 *     state  C: mat[DQK, DV], n: vec[DQK], m: scalar
 *     output h: vec[DV]
 *     ...
 *   }
 * </pre>
 * with the layouts of {@code docs/glue-contract.md}: every argument a contiguous float32 segment, {@code (B, NH, ...)}.
 * An implementation usually forwards to the generated static methods, e.g. {@code forward} to {@code NameCell.sequence}
 * and {@code step} to {@code NameCell.step}. A cell with other inputs or states needs a block of its own.
 */
public interface MlstmCellKernel {
    /**
     * The outputs of a whole sequence from a zero state: q, k {@code (B,NH,S,DQK)}, v {@code (B,NH,S,DV)}, i, f
     * {@code (B,NH,S)} in, h {@code (B,NH,S,DV)} out. C {@code (B,NH,DQK,DV)}, n {@code (B,NH,DQK)} and m
     * {@code (B,NH)} are zeroed scratch in the state layouts: a recurrent implementation carries its state in them,
     * another may ignore them. Their content afterwards is not used.
     */
    void forward(int b, int nh, int s, int dqk, int dv, MemorySegment q, MemorySegment k, MemorySegment v,
                 MemorySegment i, MemorySegment f, MemorySegment c, MemorySegment n, MemorySegment m, MemorySegment h);

    /**
     * One time step: q, k {@code (B,NH,DQK)}, v {@code (B,NH,DV)}, i, f {@code (B,NH)} in; the state C, n, m read
     * and updated in place; h {@code (B,NH,DV)} out.
     */
    void step(int b, int nh, int dqk, int dv, MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment i,
              MemorySegment f, MemorySegment c, MemorySegment n, MemorySegment m, MemorySegment h);

    /** The project's mLSTM cell: its parallel form over a sequence, its recurrent step, {@code eps = 1e-6}. */
    MlstmCellKernel MLSTM = new MlstmCellKernel() {
        @Override
        public void forward(int b, int nh, int s, int dqk, int dv, MemorySegment q, MemorySegment k, MemorySegment v,
                            MemorySegment i, MemorySegment f, MemorySegment c, MemorySegment n, MemorySegment m,
                            MemorySegment h) {
            MlstmCell.parallel(b, nh, s, dqk, dv, q, k, v, i, f, h, MlstmCell.DEFAULT_EPS);
        }

        @Override
        public void step(int b, int nh, int dqk, int dv, MemorySegment q, MemorySegment k, MemorySegment v,
                         MemorySegment i, MemorySegment f, MemorySegment c, MemorySegment n, MemorySegment m,
                         MemorySegment h) {
            MlstmCell.step(b, nh, dqk, dv, q, k, v, i, f, c, n, m, h, MlstmCell.DEFAULT_EPS);
        }

        @Override
        public String toString() { return "mlstm"; }
    };
}
