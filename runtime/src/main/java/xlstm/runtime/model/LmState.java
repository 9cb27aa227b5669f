package xlstm.runtime.model;

/** The step-mode state of an {@link XlstmLmModel}: the state of its block stack. */
public final class LmState {
    private final BlockStackState stack;

    LmState(BlockStackState stack) { this.stack = stack; }

    public BlockStackState stack() { return stack; }

    public int batch() { return stack.batch(); }
}
