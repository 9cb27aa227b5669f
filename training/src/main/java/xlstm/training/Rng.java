package xlstm.training;

/**
 * The training's random numbers: SplitMix64, whose whole state is one {@code long}, so a checkpoint stores it
 * and a resumed run draws exactly the numbers the uninterrupted run would have drawn ({@link java.util.Random}
 * and {@link java.util.SplittableRandom} do not expose their state).
 */
public final class Rng {
    private static final long GAMMA = 0x9E3779B97F4A7C15L;
    private long state;

    public Rng(long seed) { this.state = seed; }

    /** A generator for one named purpose (a tensor's initialisation, a data split): independent of draw order. */
    public static Rng derived(long seed, String purpose) {
        return new Rng(mix(seed ^ mix(purpose.hashCode() * GAMMA + purpose.length())));
    }

    /** The state to store; {@code new Rng(state())} continues the sequence. */
    public long state() { return state; }

    /** Continues from a state saved with {@link #state()}. */
    public void restore(long savedState) { this.state = savedState; }

    public long nextLong() { return mix(state += GAMMA); }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() { return (nextLong() >>> 11) * 0x1.0p-53; }

    /** Uniform in [0, bound) without modulo bias. */
    public int nextInt(int bound) {
        if (bound <= 0) throw new IllegalArgumentException("bound must be positive: " + bound);
        long limit = Long.remainderUnsigned(-1L, bound); // reject the top partial range
        while (true) {
            long r = nextLong();
            if (Long.compareUnsigned(r, -1L - limit) <= 0) return (int) Long.remainderUnsigned(r, bound);
        }
    }

    /** Uniform in [lo, hi] (both inclusive). */
    public int nextInt(int lo, int hi) { return lo + nextInt(hi - lo + 1); }

    /** Standard normal (Box-Muller; no cached second value, so the state stays one long). */
    public double nextGaussian() {
        double u1 = 1.0 - nextDouble(); // (0, 1]: log is finite
        double u2 = nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
