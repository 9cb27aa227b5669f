package xlstm.training.data;

import java.util.List;
import xlstm.training.Batch;
import xlstm.training.Rng;

/**
 * The parity task as a run's data: training batches of {@code train} lengths, validation batches of {@code test}
 * lengths (the generalisation the experiment measures), a fixed set drawn from the seed.
 */
public final class ParityData implements DataSource {
    private final ParityTask train, test;
    private final int batchSize;
    private final List<Batch> validation;

    public ParityData(ParityTask train, ParityTask test, int batchSize, int validationBatches, long seed) {
        this.train = train;
        this.test = test;
        this.batchSize = batchSize;
        this.validation = test.fixedSet(validationBatches, batchSize, seed, "parity test set");
    }

    @Override public int vocabSize() { return ParityTask.VOCAB; }

    @Override public Batch trainBatch(Rng rng) { return train.batch(batchSize, rng); }

    @Override public List<Batch> validation() { return validation; }

    public ParityTask trainTask() { return train; }

    public ParityTask testTask() { return test; }

    @Override
    public String describe() {
        return "parity: training lengths " + train.minLength() + ".." + train.maxLength() + ", test lengths "
                + test.minLength() + ".." + test.maxLength();
    }
}
