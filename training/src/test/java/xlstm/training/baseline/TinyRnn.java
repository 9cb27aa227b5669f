package xlstm.training.baseline;

import java.util.List;
import xlstm.runtime.tensor.Tensor;
import xlstm.training.Batch;
import xlstm.training.Parameter;
import xlstm.training.Rng;
import xlstm.training.Trainable;

/**
 * An Elman RNN with exact backpropagation through time, for tests that need a model with memory (parity):
 * {@code h_t = tanh(W[x_t] + U·h_{t−1} + b)}, {@code logits_t = V·h_t + c}, h_0 = 0.
 */
final class TinyRnn implements Trainable {
    private final int vocab, hidden;
    private final Parameter w, u, b, v, c;

    TinyRnn(int vocab, int hidden, long seed) {
        this.vocab = vocab;
        this.hidden = hidden;
        Rng r = new Rng(seed);
        w = param("rnn.input.weight", r, 1.0, hidden, vocab);
        u = param("rnn.recurrent.weight", r, 1 / Math.sqrt(hidden), hidden, hidden);
        b = new Parameter("rnn.bias", Tensor.zeros(hidden));
        v = param("head.weight", r, 1 / Math.sqrt(hidden), vocab, hidden);
        c = new Parameter("head.bias", Tensor.zeros(vocab));
    }

    private static Parameter param(String name, Rng r, double std, long... shape) {
        Tensor t = Tensor.zeros(shape);
        for (long i = 0; i < t.numel(); i++) t.setFloat(i, (float) (std * r.nextGaussian()));
        return new Parameter(name, t);
    }

    @Override public List<Parameter> parameters() { return List.of(w, u, b, v, c); }

    /** Hidden states h[t+1] after token t (h[0] = 0) of one row. */
    private double[][] states(int[] row) {
        double[][] h = new double[row.length + 1][hidden];
        for (int t = 0; t < row.length; t++) {
            for (int i = 0; i < hidden; i++) {
                double a = w.value().getFloat((long) i * vocab + row[t]) + b.value().getFloat(i);
                for (int j = 0; j < hidden; j++) a += u.value().getFloat((long) i * hidden + j) * h[t][j];
                h[t + 1][i] = Math.tanh(a);
            }
        }
        return h;
    }

    private double[] logits(double[] h) {
        double[] z = new double[vocab];
        for (int k = 0; k < vocab; k++) {
            z[k] = c.value().getFloat(k);
            for (int i = 0; i < hidden; i++) z[k] += v.value().getFloat((long) k * hidden + i) * h[i];
        }
        return z;
    }

    @Override
    public double loss(Batch batch, boolean backward) {
        long n = batch.counted();
        if (n == 0) return 0;
        double total = 0;
        for (int r = 0; r < batch.batchSize(); r++) {
            int[] in = batch.inputs()[r], tgt = batch.targets()[r];
            double[][] h = states(in);
            double[][] dh = new double[in.length + 1][hidden]; // d loss / d h[t+1] from the outputs
            for (int t = 0; t < in.length; t++) {
                if (tgt[t] == Batch.IGNORE) continue;
                double[] z = logits(h[t + 1]);
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (double x : z) max = Math.max(max, x);
                for (double x : z) sum += Math.exp(x - max);
                total += Math.log(sum) + max - z[tgt[t]];
                if (!backward) continue;
                for (int k = 0; k < vocab; k++) {
                    double dz = (Math.exp(z[k] - max) / sum - (k == tgt[t] ? 1 : 0)) / n;
                    add(c, k, dz);
                    for (int i = 0; i < hidden; i++) {
                        add(v, (long) k * hidden + i, dz * h[t + 1][i]);
                        dh[t + 1][i] += dz * v.value().getFloat((long) k * hidden + i);
                    }
                }
            }
            if (!backward) continue;
            double[] carry = new double[hidden];
            for (int t = in.length - 1; t >= 0; t--) {
                double[] da = new double[hidden];
                for (int i = 0; i < hidden; i++) {
                    double g = dh[t + 1][i] + carry[i];
                    da[i] = g * (1 - h[t + 1][i] * h[t + 1][i]);
                    add(w, (long) i * vocab + in[t], da[i]);
                    add(b, i, da[i]);
                }
                carry = new double[hidden];
                for (int i = 0; i < hidden; i++) {
                    for (int j = 0; j < hidden; j++) {
                        add(u, (long) i * hidden + j, da[i] * h[t][j]);
                        carry[j] += da[i] * u.value().getFloat((long) i * hidden + j);
                    }
                }
            }
        }
        return total / n;
    }

    private static void add(Parameter p, long i, double g) {
        p.grad().setFloat(i, (float) (p.grad().getFloat(i) + g));
    }

    @Override
    public Tensor logits(int[][] inputs) {
        int bs = inputs.length, s = inputs[0].length;
        Tensor out = Tensor.zeros(bs, s, vocab);
        for (int r = 0; r < bs; r++) {
            double[][] h = states(inputs[r]);
            for (int t = 0; t < s; t++) {
                double[] z = logits(h[t + 1]);
                for (int k = 0; k < vocab; k++) out.setFloat(((long) r * s + t) * vocab + k, (float) z[k]);
            }
        }
        return out;
    }
}
