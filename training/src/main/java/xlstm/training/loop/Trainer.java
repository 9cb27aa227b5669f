package xlstm.training.loop;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import xlstm.runtime.UserError;
import xlstm.runtime.tensor.Tensor;
import xlstm.training.Batch;
import xlstm.training.Parameter;
import xlstm.training.Rng;
import xlstm.training.Trainable;
import xlstm.training.checkpoint.CheckpointStore;
import xlstm.training.checkpoint.TrainingState;
import xlstm.training.data.DataSource;
import xlstm.training.optim.AdamW;
import xlstm.training.optim.GradClip;
import xlstm.training.optim.LrSchedule;
import xlstm.training.optim.WeightDecayGroups;

/**
 * The training loop: per step the scheduled learning rate, a batch from the data's generator, forward and
 * backward, global gradient-norm clipping, an AdamW update; every {@code eval_every} steps the validation loss,
 * every {@code checkpoint_every} steps a checkpoint (both also at the last step). Everything random comes from one
 * {@link Rng} whose state goes into the checkpoint, so a resumed run repeats the uninterrupted run's losses bit for
 * bit.
 */
public final class Trainer {
    private final Trainable model;
    private final DataSource data;
    private final TrainingConfig cfg;
    private final LrSchedule schedule;
    private final AdamW optimizer;
    private final List<Parameter> params;
    private final Rng rng;
    private final com.fasterxml.jackson.databind.JsonNode runConfig;
    private long step;

    /** A fresh run (step 0) of {@code model}; {@code runConfig} is stored in every checkpoint. */
    public Trainer(Trainable model, boolean decayEmbedding, DataSource data, TrainingConfig cfg,
                   com.fasterxml.jackson.databind.JsonNode runConfig) {
        this.model = model;
        this.data = data;
        this.cfg = cfg;
        this.schedule = cfg.schedule();
        this.params = model.parameters();
        this.optimizer = new AdamW(WeightDecayGroups.of(params, cfg.weightDecay(), decayEmbedding),
                cfg.beta1(), cfg.beta2(), cfg.eps());
        this.rng = Rng.derived(cfg.seed(), "data order");
        this.runConfig = runConfig;
    }

    /** Continues from a checkpoint: parameters, optimiser, generator and step as they were saved. */
    public void restore(TrainingState s, String source) {
        for (Parameter p : params) {
            Tensor saved = s.parameters().get(p.name());
            if (saved == null) throw new UserError(source + ": the checkpoint has no parameter '" + p.name() + "'");
            if (!java.util.Arrays.equals(saved.shape(), p.shape())) {
                throw new UserError(source + ": parameter '" + p.name() + "' has shape "
                        + java.util.Arrays.toString(saved.shape()) + ", the model's is " + java.util.Arrays.toString(p.shape()));
            }
            java.lang.foreign.MemorySegment.copy(saved.data(), 0, p.value().data(), 0, p.value().data().byteSize());
        }
        if (s.parameters().size() != params.size()) {
            throw new UserError(source + ": the checkpoint has " + s.parameters().size() + " parameters, the model "
                    + params.size());
        }
        try {
            optimizer.restore(s.optimizer(), s.optimizerSteps());
        } catch (IllegalArgumentException e) {
            throw new UserError(source + ": " + e.getMessage(), e);
        }
        rng.restore(s.rngState());
        step = s.step();
    }

    public long step() { return step; }

    public Trainable model() { return model; }

    public AdamW optimizer() { return optimizer; }

    /** Steps until {@code cfg.steps()} (or until {@code stopAfter}, whichever comes first), saving to {@code store}. */
    public void run(CheckpointStore store, MetricsLog log, TrainingListener listener, long stopAfter) {
        long last = Math.min(cfg.steps(), stopAfter);
        listener.onStart(step, cfg.steps());
        while (step < last) {
            StepRecord r = trainStep();
            if (log != null) log.append(r);
            listener.onStep(r, cfg.steps());
            if (store != null && (step % cfg.checkpointEvery() == 0 || step == cfg.steps())) {
                listener.onCheckpoint(step, store.save(state(), cfg.keepCheckpoints()));
            }
        }
    }

    /** One optimiser step (and the validation loss when it is due). */
    public StepRecord trainStep() {
        long t0 = System.nanoTime();
        double lr = schedule.lr(step);
        for (Parameter p : params) p.zeroGrad();
        Batch batch = data.trainBatch(rng);
        double loss = model.loss(batch, true);
        if (!Double.isFinite(loss)) {
            throw new UserError("training diverged: the loss is " + loss + " at step " + (step + 1)
                    + " (try a smaller lr or a clip)");
        }
        double gradNorm = GradClip.clip(params, cfg.clip());
        optimizer.step(lr);
        double secs = (System.nanoTime() - t0) / 1e9;
        step++;
        double val = step % cfg.evalEvery() == 0 || step == cfg.steps() ? validationLoss() : Double.NaN;
        return new StepRecord(step, lr, loss, val, gradNorm, (double) batch.batchSize() * batch.length() / secs);
    }

    /** Mean loss over the validation batches, weighted by their counted positions. */
    public double validationLoss() {
        double sum = 0;
        long n = 0;
        for (Batch b : data.validation()) {
            long c = b.counted();
            sum += model.loss(b, false) * c;
            n += c;
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** The state to checkpoint now (live tensors: save before the next step). */
    public TrainingState state() {
        Map<String, Tensor> values = new LinkedHashMap<>();
        for (Parameter p : params) values.put(p.name(), p.value());
        return new TrainingState(step, values, optimizer.state(), optimizer.stepCount(), rng.state(), runConfig);
    }
}
