package xlstm.training.baseline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import xlstm.runtime.tensor.Tensor;
import xlstm.training.Batch;
import xlstm.training.Parameter;

class BigramModelTest {
    @Test
    void theGradientMatchesFiniteDifferences() {
        int v = 5;
        BigramModel m = BigramModel.of(v, BigramModel.initialWeights(v, 1));
        Parameter w = m.parameters().get(0);
        for (long i = 0; i < w.numel(); i++) w.value().setFloat(i, (float) Math.sin(i * 1.7)); // non-trivial logits
        Batch b = new Batch(new int[][] {{0, 1, 2, 3}, {4, 4, 1, 0}}, new int[][] {{1, 2, Batch.IGNORE, 4}, {4, 1, 0, 2}});
        m.loss(b, true);
        Tensor g = w.grad();
        double h = 1e-2;
        for (long i = 0; i < w.numel(); i++) {
            float x = w.value().getFloat(i);
            w.value().setFloat(i, (float) (x + h));
            double up = m.loss(b, false);
            w.value().setFloat(i, (float) (x - h));
            double down = m.loss(b, false);
            w.value().setFloat(i, x);
            assertEquals((up - down) / (2 * h), g.getFloat(i), 2e-4, "d loss / d w[" + i + "]");
        }
    }

    @Test
    void logitsAreTheRowsOfThePreviousToken() {
        BigramModel m = BigramModel.of(3, BigramModel.initialWeights(3, 2));
        Tensor table = m.parameters().get(0).value();
        Tensor logits = m.logits(new int[][] {{2, 0}});
        for (int k = 0; k < 3; k++) {
            assertEquals(table.getFloat(6 + k), logits.getFloat(k));
            assertEquals(table.getFloat(k), logits.getFloat(3 + k));
        }
        // the loss is the mean cross-entropy of these logits
        Batch b = new Batch(new int[][] {{2}}, new int[][] {{1}});
        double z = 0;
        for (int k = 0; k < 3; k++) z += Math.exp(table.getFloat(6 + k));
        assertEquals(Math.log(z) - table.getFloat(7), m.loss(b, false), 1e-6);
        assertTrue(m.loss(new Batch(new int[][] {{1}}, new int[][] {{Batch.IGNORE}}), false) == 0);
    }
}
