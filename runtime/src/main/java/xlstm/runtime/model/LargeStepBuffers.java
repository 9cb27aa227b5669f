package xlstm.runtime.model;

import java.lang.foreign.MemorySegment;
import xlstm.backends.DType;
import xlstm.runtime.tensor.Tensor;

/**
 * The preallocated activations of one {@link XlstmLarge} decode step for a batch of B rows, held by the
 * {@link LargeState} so that a step allocates no tensors: every intermediate of a block has its buffer here and is
 * overwritten by the next block and the next step. Rows are (B, features), which for one token per row are also the
 * (B, NH, D) layouts of the cell.
 */
final class LargeStepBuffers {
    final int batch;
    final Tensor ids;
    final Tensor x, xn, y, yn, gated, hn, h;
    final Tensor q, k, v, o, ig, fg;
    final Tensor g, u, act, down;
    final Tensor logits;
    /** A kernel backend's input copy for the in-place soft caps (gates, logits) off the Java backend. */
    final Tensor raw;
    /** Outputs of the fused q, k, v, output-gate, input-gate, forget-gate projections, in that order. */
    final MemorySegment[] mlstmOut;
    /** Outputs of the fused feed-forward gate and up projections. */
    final MemorySegment[] ffnOut;

    LargeStepBuffers(int batch, int e, int nh, int dqk, int dv, int ffn, int vocab) {
        this.batch = batch;
        ids = Tensor.zeros(DType.I64, batch, 1);
        x = Tensor.zeros(batch, e);
        xn = Tensor.zeros(batch, e);
        y = Tensor.zeros(batch, e);
        yn = Tensor.zeros(batch, e);
        q = Tensor.zeros(batch, dqk);
        k = Tensor.zeros(batch, dqk);
        v = Tensor.zeros(batch, dv);
        o = Tensor.zeros(batch, dv);
        ig = Tensor.zeros(batch, nh);
        fg = Tensor.zeros(batch, nh);
        h = Tensor.zeros(batch, dv);
        hn = Tensor.zeros(batch, dv);
        gated = Tensor.zeros(batch, dv);
        g = Tensor.zeros(batch, ffn);
        u = Tensor.zeros(batch, ffn);
        act = Tensor.zeros(batch, ffn);
        down = Tensor.zeros(batch, e);
        logits = Tensor.zeros(batch, vocab);
        raw = Tensor.zeros(batch, Math.max(vocab, nh));
        mlstmOut = new MemorySegment[] {q.data(), k.data(), v.data(), o.data(), ig.data(), fg.data()};
        ffnOut = new MemorySegment[] {g.data(), u.data()};
    }
}
