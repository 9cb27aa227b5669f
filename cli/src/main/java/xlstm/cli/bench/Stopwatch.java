package xlstm.cli.bench;

import java.util.Arrays;

/**
 * Median wall time of a body: warm-up runs (at least {@code warmup}, and until {@code warmupSeconds} have passed),
 * then {@code repeats} timed runs, stopping early once {@code budgetSeconds} of timed runs are spent (but never
 * before three), so a slow case does not hold up a quick benchmark.
 */
public record Stopwatch(int warmup, double warmupSeconds, int repeats, double budgetSeconds) {
    /** Median seconds per run of {@code body}. */
    public double median(Runnable body) {
        long start = System.nanoTime();
        for (int j = 0; j < warmup || (System.nanoTime() - start) / 1e9 < warmupSeconds; j++) body.run();
        double[] t = new double[repeats];
        int done = 0;
        double spent = 0;
        while (done < repeats && (done < 3 || spent < budgetSeconds)) {
            long t0 = System.nanoTime();
            body.run();
            t[done] = (System.nanoTime() - t0) / 1e9;
            spent += t[done++];
        }
        double[] r = Arrays.copyOf(t, done);
        Arrays.sort(r);
        return done % 2 == 1 ? r[done / 2] : (r[done / 2 - 1] + r[done / 2]) / 2;
    }
}
