package xlstm.training.data;

import java.util.List;
import xlstm.training.Batch;
import xlstm.training.Rng;

/** Where a run's batches come from: training batches drawn from the run's generator, a fixed validation set. */
public interface DataSource {
    /** Token ids are in [0, vocabSize). */
    int vocabSize();

    /** The next training batch; all randomness comes from {@code rng} (whose state a checkpoint stores). */
    Batch trainBatch(Rng rng);

    /** The validation batches: the same every time they are asked for. */
    List<Batch> validation();

    /** One line for the log: what the data is. */
    String describe();
}
