package xlstm.runtime.model;

import java.util.List;

/** The step-mode state of an {@link XlstmBlockStack}: one state per block (convolution windows, cell states). */
public final class BlockStackState {
    private final Object owner;
    private final int batch;
    private final List<BlockState> states;

    BlockStackState(Object owner, int batch, List<BlockState> states) {
        this.owner = owner;
        this.batch = batch;
        this.states = List.copyOf(states);
    }

    public int batch() { return batch; }

    public int blocks() { return states.size(); }

    BlockState block(int i) { return states.get(i); }

    /** The stack that made this state (a state fits only its own stack). */
    Object owner() { return owner; }
}
