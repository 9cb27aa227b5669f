package xlstm.training.loop;

/**
 * What one optimiser step produced: a row of the run's CSV log.
 *
 * @param step        optimiser steps done (1 after the first)
 * @param lr          learning rate of this step
 * @param loss        training loss of this step's batch (before the update)
 * @param valLoss     validation loss after the update, or NaN when this step did not evaluate
 * @param gradNorm    global gradient norm before clipping
 * @param tokensPerS  input tokens of the batch per second of the step's forward, backward and update
 */
public record StepRecord(long step, double lr, double loss, double valLoss, double gradNorm, double tokensPerS) {
    public boolean evaluated() { return !Double.isNaN(valLoss); }
}
