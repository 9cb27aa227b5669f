package xlstm.training.data;

import java.util.ArrayList;
import java.util.List;
import xlstm.runtime.UserError;
import xlstm.training.Batch;
import xlstm.training.Rng;

/**
 * Language-model batches from a token stream: random windows of {@code seqLen + 1} tokens, inputs the first
 * {@code seqLen}, targets the next token of each. The stream's last {@code validationFraction} is held out; the
 * validation set is {@code validationBatches} windows drawn once from a generator of its own.
 */
public final class TextData implements DataSource {
    private final TokenStream train, validation;
    private final int batchSize, seqLen;
    private final List<Batch> validationSet;

    public TextData(TokenStream all, int batchSize, int seqLen, double validationFraction, int validationBatches, long seed) {
        if (batchSize <= 0 || seqLen <= 0) throw new IllegalArgumentException("batch " + batchSize + ", length " + seqLen);
        if (!(validationFraction > 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("validation fraction must be in (0, 1): " + validationFraction);
        }
        int held = (int) Math.round(all.length() * validationFraction);
        int cut = all.length() - held;
        this.batchSize = batchSize;
        this.seqLen = seqLen;
        this.train = all.range(0, cut);
        this.validation = all.range(cut, all.length());
        requireWindow(all, train, "training", validationFraction);
        requireWindow(all, validation, "validation", validationFraction);
        Rng r = Rng.derived(seed, "validation windows");
        List<Batch> v = new ArrayList<>();
        for (int i = 0; i < validationBatches; i++) v.add(windows(validation, r));
        this.validationSet = List.copyOf(v);
    }

    private void requireWindow(TokenStream all, TokenStream part, String which, double validationFraction) {
        if (part.length() < seqLen + 1) {
            throw new UserError(all.source() + ": the " + which + " part has " + part.length() + " tokens, fewer than"
                    + " seq_len + 1 = " + (seqLen + 1) + " (" + all.length() + " tokens in all, "
                    + Math.round(validationFraction * 100) + "% held out for validation): give more text or a"
                    + " shorter seq_len");
        }
    }

    private Batch windows(TokenStream s, Rng rng) {
        int[][] in = new int[batchSize][seqLen], tgt = new int[batchSize][seqLen];
        int starts = s.length() - seqLen; // start + seqLen (the last target) must be < length
        for (int b = 0; b < batchSize; b++) {
            int start = rng.nextInt(starts);
            System.arraycopy(s.tokens(), start, in[b], 0, seqLen);
            System.arraycopy(s.tokens(), start + 1, tgt[b], 0, seqLen);
        }
        return new Batch(in, tgt);
    }

    @Override public int vocabSize() { return train.vocabSize(); }

    @Override public Batch trainBatch(Rng rng) { return windows(train, rng); }

    @Override public List<Batch> validation() { return validationSet; }

    public TokenStream trainTokens() { return train; }

    public TokenStream validationTokens() { return validation; }

    @Override
    public String describe() {
        return train.source() + ": " + train.length() + " training + " + validation.length() + " validation tokens,"
                + " vocabulary " + vocabSize();
    }
}
