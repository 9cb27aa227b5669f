package xlstm.training;

/**
 * A batch of token sequences for language-model training: {@code inputs[b][s]} token ids and
 * {@code targets[b][s]} the id to predict at each position, or {@link #IGNORE} where no loss is taken (the
 * reference's {@code ignore_index}). All rows have the same length.
 */
public record Batch(int[][] inputs, int[][] targets) {
    /** Target id of positions that do not count in the loss (PyTorch's default ignore_index). */
    public static final int IGNORE = -100;

    public Batch {
        if (inputs.length == 0 || inputs.length != targets.length) {
            throw new IllegalArgumentException("batch: " + inputs.length + " input rows, " + targets.length + " target rows");
        }
        int s = inputs[0].length;
        for (int b = 0; b < inputs.length; b++) {
            if (inputs[b].length != s || targets[b].length != s) {
                throw new IllegalArgumentException("batch row " + b + " does not have length " + s);
            }
        }
    }

    public int batchSize() { return inputs.length; }

    public int length() { return inputs[0].length; }

    /** Positions that count in the loss. */
    public long counted() {
        long n = 0;
        for (int[] row : targets) for (int t : row) if (t != IGNORE) n++;
        return n;
    }
}
