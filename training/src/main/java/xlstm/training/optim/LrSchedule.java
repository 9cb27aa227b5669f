package xlstm.training.optim;

/**
 * The reference's {@code LinearWarmupCosineAnnealing} (SPEC §6.3): linear warm-up from 0 to {@code maxLr} over
 * {@code warmupSteps}, cosine decay to {@code minLr} until {@code decaySteps}, then {@code minLr}.
 */
public record LrSchedule(double maxLr, double minLr, int warmupSteps, int decaySteps) {
    public LrSchedule {
        if (!(maxLr > 0) || Double.isInfinite(maxLr)) throw new IllegalArgumentException("max lr must be positive: " + maxLr);
        if (!(minLr >= 0) || minLr > maxLr) throw new IllegalArgumentException("min lr must be in [0, max lr]: " + minLr);
        if (warmupSteps < 0) throw new IllegalArgumentException("warm-up steps must be >= 0: " + warmupSteps);
        if (decaySteps < warmupSteps) throw new IllegalArgumentException("decay steps " + decaySteps + " < warm-up " + warmupSteps);
    }

    /** The learning rate of optimiser step {@code step} (0-based, as the reference's scheduler counts). */
    public double lr(long step) {
        if (step < warmupSteps) return maxLr * step / warmupSteps;
        if (step >= decaySteps) return minLr;
        double progress = (double) (step - warmupSteps) / (decaySteps - warmupSteps);
        return minLr + 0.5 * (1 + Math.cos(Math.PI * progress)) * (maxLr - minLr);
    }
}
