package xlstm.training.loop;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import xlstm.runtime.config.ConfigError;
import xlstm.runtime.config.ConfigNode;
import xlstm.training.optim.LrSchedule;

/**
 * A run's {@code training} dictionary. Defaults follow the reference's parity configs where they apply (SPEC
 * §6.3: AdamW, lr 1e-3, weight decay 0.1, min lr = lr/1000, seed 42).
 *
 * @param steps           optimiser steps of the whole run
 * @param batchSize       sequences per batch
 * @param seqLen          tokens per sequence (text data)
 * @param lr              peak learning rate
 * @param warmupSteps     linear warm-up steps
 * @param minLr           learning rate at the end of the cosine decay (which ends at the last step)
 * @param weightDecay     AdamW's decoupled weight decay of the decay group
 * @param clip            maximum global gradient norm (0: no clipping)
 * @param beta1           AdamW β1
 * @param beta2           AdamW β2
 * @param eps             AdamW ε
 * @param seed            seed of initialisation, data order and validation set
 * @param evalEvery       steps between validation losses (and at the last step)
 * @param evalBatches     batches of the validation set
 * @param checkpointEvery steps between checkpoints (and at the last step)
 * @param keepCheckpoints how many checkpoints to keep (the newest)
 * @param deterministic   run the kernels' scalar twins: losses that do not depend on the machine's vector width
 *                        (the vector kernels' lane sums follow it). Not needed for a bit-identical resume: the
 *                        vector kernels give the same bits however warm the JIT is (Simd.sum, VMath)
 */
public record TrainingConfig(int steps, int batchSize, int seqLen, double lr, int warmupSteps, double minLr,
                             double weightDecay, double clip, double beta1, double beta2, double eps, long seed,
                             int evalEvery, int evalBatches, int checkpointEvery, int keepCheckpoints,
                             boolean deterministic) {

    public TrainingConfig {
        positive(steps, "steps");
        positive(batchSize, "batch_size");
        positive(seqLen, "seq_len");
        if (!(lr > 0) || Double.isInfinite(lr)) throw invalid("lr", lr, "a positive number");
        if (warmupSteps < 0 || warmupSteps > steps) throw invalid("warmup_steps", warmupSteps, "an integer in [0, steps = " + steps + "]");
        if (!(minLr >= 0 && minLr <= lr)) throw invalid("min_lr", minLr, "a number in [0, lr = " + lr + "]");
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) throw invalid("weight_decay", weightDecay, "a number >= 0");
        if (!(clip >= 0)) throw invalid("clip", clip, "a number >= 0 (0: no clipping)");
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw invalid("betas", "[" + beta1 + ", " + beta2 + "]", "two numbers in [0, 1)");
        }
        if (!(eps >= 0)) throw invalid("eps", eps, "a number >= 0");
        positive(evalEvery, "eval_every");
        positive(evalBatches, "eval_batches");
        positive(checkpointEvery, "checkpoint_every");
        positive(keepCheckpoints, "keep_checkpoints");
    }

    public static TrainingConfig defaults() {
        return new TrainingConfig(1000, 16, 128, 1e-3, 100, 1e-6, 0.1, 1.0, 0.9, 0.999, 1e-8, 42, 100, 8, 500, 3, false);
    }

    /** Warm-up, then cosine decay until the last step. */
    public LrSchedule schedule() { return new LrSchedule(lr, minLr, warmupSteps, steps); }

    public TrainingConfig withSteps(int n) {
        return new TrainingConfig(n, batchSize, seqLen, lr, Math.min(warmupSteps, n), minLr, weightDecay, clip, beta1,
                beta2, eps, seed, evalEvery, evalBatches, checkpointEvery, keepCheckpoints, deterministic);
    }

    static TrainingConfig parse(ConfigNode c) {
        TrainingConfig d = defaults();
        int steps = c.getInt("steps", d.steps);
        int batch = c.getInt("batch_size", d.batchSize);
        int seqLen = c.getInt("seq_len", d.seqLen);
        double lr = c.getDouble("lr", d.lr);
        int warmup = c.getInt("warmup_steps", Math.min(d.warmupSteps, steps));
        double minLr = c.getDouble("min_lr", lr / 1000);
        double wd = c.getDouble("weight_decay", d.weightDecay);
        double clip = c.getDouble("clip", d.clip);
        double b1 = d.beta1, b2 = d.beta2;
        if (c.has("betas")) {
            List<Double> betas = doubles(c, "betas");
            b1 = betas.get(0);
            b2 = betas.get(1);
        } else {
            c.accept("betas");
        }
        double eps = c.getDouble("eps", d.eps);
        long seed = c.getInt("seed", (int) d.seed);
        int evalEvery = c.getInt("eval_every", d.evalEvery);
        int evalBatches = c.getInt("eval_batches", d.evalBatches);
        int ckptEvery = c.getInt("checkpoint_every", d.checkpointEvery);
        int keep = c.getInt("keep_checkpoints", d.keepCheckpoints);
        boolean deterministic = c.getBool("deterministic", d.deterministic);
        c.finish();
        double beta1 = b1, beta2 = b2;
        return c.build(() -> new TrainingConfig(steps, batch, seqLen, lr, warmup, minLr, wd, clip, beta1, beta2, eps,
                seed, evalEvery, evalBatches, ckptEvery, keep, deterministic));
    }

    private static List<Double> doubles(ConfigNode c, String key) {
        var v = c.raw(key);
        if (v.isArray() && v.size() == 2 && v.get(0).isNumber() && v.get(1).isNumber()) {
            return List.of(v.get(0).doubleValue(), v.get(1).doubleValue());
        }
        throw new ConfigError(c.name(key), "invalid value " + v + " (expected [beta1, beta2])");
    }

    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("steps", steps).put("batch_size", batchSize).put("seq_len", seqLen).put("lr", lr)
                .put("warmup_steps", warmupSteps).put("min_lr", minLr).put("weight_decay", weightDecay).put("clip", clip);
        o.putArray("betas").add(beta1).add(beta2);
        return o.put("eps", eps).put("seed", seed).put("eval_every", evalEvery).put("eval_batches", evalBatches)
                .put("checkpoint_every", checkpointEvery).put("keep_checkpoints", keepCheckpoints)
                .put("deterministic", deterministic);
    }

    private static void positive(int v, String option) {
        if (v <= 0) throw invalid(option, v, "a positive integer");
    }

    private static ConfigError invalid(String option, Object v, String expected) {
        return new ConfigError(option, "invalid value " + v + " (expected " + expected + ")");
    }
}
