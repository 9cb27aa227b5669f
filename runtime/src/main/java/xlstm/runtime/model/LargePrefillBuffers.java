package xlstm.runtime.model;

import java.lang.foreign.MemorySegment;
import xlstm.runtime.tensor.Tensor;

/**
 * The activations of one {@link XlstmLarge} pass over B rows of S tokens (a prefill), held by the {@link LargeState}
 * and reused by every block and by the next pass of at most as many rows B·S (a shorter pass uses the front of each
 * buffer, in its own layout): allocating and zero-filling fresh tensors for every
 * operation cost a prefill about 460 MB of single-threaded zeroing (and the page faults of fresh memory). Rows are
 * (B·S, features); the cell's head layouts are (B, NH, S, D). A buffer that is dead at some point of the block takes a
 * second role then: {@code xn} the feed-forward's normed input and then its down projection, {@code hs} the cell's
 * output in row layout and then the gated output.
 */
final class LargePrefillBuffers {
    /** Rows (B·S) the buffers hold. */
    final long rows;
    final Tensor x, xn, y;
    final Tensor q, k, v, o, ig, fg;
    final Tensor qh, kh, vh, it, ft, h, hs, hn;
    final Tensor g, u, act;
    /** A kernel backend's input copy for the in-place soft cap of the gates off the Java backend. */
    final Tensor raw;
    /** Outputs of the q, k, v, output-gate, input-gate, forget-gate projections, in that order. */
    final MemorySegment[] mlstmOut;
    /** Outputs of the feed-forward gate and up projections. */
    final MemorySegment[] ffnOut;

    LargePrefillBuffers(long rows, int e, int nh, int dqk, int dv, int ffn) {
        this.rows = rows;
        long r = rows;
        x = Tensor.zeros(r, e);
        xn = Tensor.zeros(r, e);
        y = Tensor.zeros(r, e);
        q = Tensor.zeros(r, dqk);
        k = Tensor.zeros(r, dqk);
        v = Tensor.zeros(r, dv);
        o = Tensor.zeros(r, dv);
        ig = Tensor.zeros(r, nh);
        fg = Tensor.zeros(r, nh);
        qh = Tensor.zeros(r, dqk);
        kh = Tensor.zeros(r, dqk);
        vh = Tensor.zeros(r, dv);
        it = Tensor.zeros(r, nh);
        ft = Tensor.zeros(r, nh);
        h = Tensor.zeros(r, dv);
        hs = Tensor.zeros(r, dv);
        hn = Tensor.zeros(r, dv);
        g = Tensor.zeros(r, ffn);
        u = Tensor.zeros(r, ffn);
        act = Tensor.zeros(r, ffn);
        raw = Tensor.zeros(r, nh);
        mlstmOut = new MemorySegment[] {q.data(), k.data(), v.data(), o.data(), ig.data(), fg.data()};
        ffnOut = new MemorySegment[] {g.data(), u.data()};
    }

    boolean fits(long rows) { return this.rows >= rows; }
}
