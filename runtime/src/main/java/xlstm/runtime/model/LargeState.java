package xlstm.runtime.model;

import java.util.List;
import xlstm.runtime.tensor.Tensor;

/**
 * The recurrent state of an {@link XlstmLarge}: per block the float32 mLSTM memory
 * {@code C (B,NH,DHQK,DHHV)}, normaliser {@code n (B,NH,DHQK)} and stabiliser {@code m (B,NH,1)}, in the
 * {@code mlstm_kernels} convention (keys unscaled). {@link XlstmLarge#forward} updates these tensors in place.
 */
public final class LargeState {
    private final int batch;
    private final List<Tensor> c, n, m;
    /** The decode step's activations, made by the model on the first step. */
    LargeStepBuffers buffers;
    /** The activations of a pass over several tokens per row, made by the model on the first such pass. */
    LargePrefillBuffers prefill;

    LargeState(int batch, List<Tensor> c, List<Tensor> n, List<Tensor> m) {
        this.batch = batch;
        this.c = List.copyOf(c);
        this.n = List.copyOf(n);
        this.m = List.copyOf(m);
    }

    public int blocks() { return c.size(); }

    public int batch() { return batch; }

    public Tensor c(int b) { return c.get(b); }

    public Tensor n(int b) { return n.get(b); }

    public Tensor m(int b) { return m.get(b); }

    /**
     * Lets go of the activations that a pass over several tokens keeps for the next one (tens of KB per token of the
     * longest pass; made again when needed): for a state that only steps from now on.
     */
    public void dropPrefillBuffers() { prefill = null; }

    /** Sets every state tensor to zero (a fresh sequence). */
    public void reset() {
        for (int b = 0; b < blocks(); b++) {
            c.get(b).fill(0f);
            n.get(b).fill(0f);
            m.get(b).fill(0f);
        }
    }
}
