package xlstm.training.data;

import java.util.ArrayList;
import java.util.List;
import xlstm.training.Batch;
import xlstm.training.Rng;

/**
 * The Chomsky-hierarchy parity task (regular; xLSTM paper, SPEC §6.3): a string of random bits, the label its
 * parity. Tokens: 0 and 1 are bits, {@link #PAD} fills a batch's shorter rows. With {@link Targets#LAST} the target
 * is the parity at the string's last bit and {@link Batch#IGNORE} everywhere else, so only that position counts in
 * the loss; with {@link Targets#EVERY} every bit's position has the parity of the prefix up to it (the same
 * function, of each prefix: a denser training signal). Padding positions are always ignored, and a causal model's
 * output at a bit does not see the padding after it. Rows of a batch have random lengths in [minLength, maxLength];
 * the batch is as long as its longest row.
 */
public record ParityTask(int minLength, int maxLength, Targets targets) {
    public static final int VOCAB = 3, PAD = 2;
    /** The task's lengths in the xLSTM paper: training 1..40 (the reference config starts at 3), test 41..256. */
    public static final ParityTask TRAIN = new ParityTask(1, 40), TEST = new ParityTask(41, 256);

    /** Which positions of a string carry a target. */
    public enum Targets {
        LAST, EVERY;

        /** The name in configs and on the command line. */
        public String id() { return name().toLowerCase(java.util.Locale.ROOT); }
    }

    public ParityTask {
        if (minLength < 1 || maxLength < minLength) {
            throw new IllegalArgumentException("lengths " + minLength + ".." + maxLength);
        }
        java.util.Objects.requireNonNull(targets, "targets");
    }

    /** Only the last bit has a target: what the test scores. */
    public ParityTask(int minLength, int maxLength) { this(minLength, maxLength, Targets.LAST); }

    public ParityTask withTargets(Targets t) { return new ParityTask(minLength, maxLength, t); }

    public Batch batch(int batchSize, Rng rng) {
        int[] lengths = new int[batchSize];
        int longest = 0;
        for (int b = 0; b < batchSize; b++) {
            lengths[b] = rng.nextInt(minLength, maxLength);
            longest = Math.max(longest, lengths[b]);
        }
        int[][] in = new int[batchSize][longest], tgt = new int[batchSize][longest];
        for (int b = 0; b < batchSize; b++) {
            int parity = 0;
            java.util.Arrays.fill(in[b], PAD);
            java.util.Arrays.fill(tgt[b], Batch.IGNORE);
            for (int s = 0; s < lengths[b]; s++) {
                int bit = rng.nextInt(2);
                in[b][s] = bit;
                parity ^= bit;
                if (targets == Targets.EVERY) tgt[b][s] = parity;
            }
            tgt[b][lengths[b] - 1] = parity;
        }
        return new Batch(in, tgt);
    }

    /** {@code count} batches drawn from a generator of their own: the same set on every call. */
    public List<Batch> fixedSet(int count, int batchSize, long seed, String purpose) {
        Rng r = Rng.derived(seed, purpose);
        List<Batch> out = new ArrayList<>();
        for (int i = 0; i < count; i++) out.add(batch(batchSize, r));
        return out;
    }

    /** Accuracy rescaled so that chance (1/2 for parity) is 0 and perfect is 1, as in the xLSTM paper. */
    public static double scaledAccuracy(double accuracy) { return ScaledAccuracy.of(accuracy, 0.5); }
}
