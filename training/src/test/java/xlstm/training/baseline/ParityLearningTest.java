package xlstm.training.baseline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.List;
import org.junit.jupiter.api.Test;
import xlstm.training.Batch;
import xlstm.training.Parameter;
import xlstm.training.data.ParityData;
import xlstm.training.data.ParityTask;
import xlstm.training.data.ScaledAccuracy;
import xlstm.training.loop.Trainer;
import xlstm.training.loop.TrainingConfig;

/**
 * The parity pipeline end to end with a model that has memory: batches with padding, the loss only at the last
 * bit, AdamW with clipping, and the scaled accuracy. A small RNN learns short strings; a bigram (no memory) cannot.
 */
class ParityLearningTest {
    @Test
    void theRnnGradientMatchesFiniteDifferences() {
        TinyRnn m = new TinyRnn(3, 4, 5);
        Batch batch = new ParityTask(1, 5).batch(3, new xlstm.training.Rng(2));
        m.loss(batch, true);
        double h = 1e-2;
        for (Parameter p : m.parameters()) {
            for (long i = 0; i < p.numel(); i++) {
                float x = p.value().getFloat(i);
                p.value().setFloat(i, (float) (x + h));
                double up = m.loss(batch, false);
                p.value().setFloat(i, (float) (x - h));
                double down = m.loss(batch, false);
                p.value().setFloat(i, x);
                assertEquals((up - down) / (2 * h), p.grad().getFloat(i), 1e-3, p.name() + "[" + i + "]");
            }
        }
    }

    @Test
    void anRnnLearnsShortParityAndABigramCannot() {
        ParityTask task = new ParityTask(1, 4);
        TrainingConfig cfg = new TrainingConfig(600, 32, 1, 0.03, 20, 0.003, 0.0, 1.0, 0.9, 0.999, 1e-8, 3, 100, 2,
                600, 1, true);
        ParityData data = new ParityData(task, task, 32, 2, 3);
        List<Batch> test = task.fixedSet(8, 32, 99, "test");

        TinyRnn rnn = new TinyRnn(ParityTask.VOCAB, 16, 1);
        new Trainer(rnn, false, data, cfg, JsonNodeFactory.instance.objectNode()).run(null, null,
                xlstm.training.loop.TrainingListener.NONE, Long.MAX_VALUE);
        double rnnScaled = ParityTask.scaledAccuracy(ScaledAccuracy.accuracy(rnn, test));
        assertTrue(rnnScaled > 0.9, "the RNN's scaled accuracy on lengths 1..4: " + rnnScaled);

        BigramModel bigram = BigramModel.of(ParityTask.VOCAB, BigramModel.initialWeights(ParityTask.VOCAB, 1));
        new Trainer(bigram, false, data, cfg, JsonNodeFactory.instance.objectNode()).run(null, null,
                xlstm.training.loop.TrainingListener.NONE, Long.MAX_VALUE);
        double bigramScaled = ParityTask.scaledAccuracy(ScaledAccuracy.accuracy(bigram, test));
        assertTrue(bigramScaled < 0.6, "the bigram sees only the last bit: " + bigramScaled);
    }
}
