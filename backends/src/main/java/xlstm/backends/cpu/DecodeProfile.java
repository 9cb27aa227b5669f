package xlstm.backends.cpu;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Wall time of a decode step broken down by operation, to find where a step loses against the memory bandwidth:
 * per category the calling thread's nanoseconds, the bytes the operation must stream (weights; the cell's state read
 * and written), and the pool posts it made, with the pool's own view of each post (how many chunks the caller ran
 * itself, how long it waited for the last worker, how long the first worker took to claim a chunk). Off unless
 * {@link #start} was called: then every hook is one static boolean read. On, it allocates nothing (fixed arrays),
 * so a profiled step is still allocation-free. Single caller: the thread that runs the steps.
 */
public final class DecodeProfile {
    public static final int EMBEDDING = 0, NORM = 1, MLSTM_IN = 2, GATE_CAP = 3, CELL = 4, HEAD_NORM = 5,
            OUT_GATE = 6, OUT_PROJ = 7, RESIDUAL = 8, FFN_IN = 9, SWIGLU = 10, DOWN = 11, LM_HEAD = 12, LOGIT_CAP = 13;
    static final String[] NAMES = {"embedding", "rms norm", "linear qkvo|if", "gate softcap", "mlstm step",
            "head norm", "output gate", "out linear", "residual add", "ffn gate|up", "swiglu", "down", "lm head",
            "logit softcap"};
    private static final int N = NAMES.length;

    /** Read by the hooks; plain static: set and read by the one stepping thread (the pool reads its own copy). */
    static boolean on;
    private static final long[] calls = new long[N], nanos = new long[N], bytes = new long[N], posts = new long[N],
            waits = new long[N];
    private static long steps, stepNanos, stepT0, opT0, opPosts0, opWait0, retries0;
    // pool totals, written by SpinPool.run on the posting thread
    static long postCount, chunkCount, callerChunks, waitNanos, wakeNanos, wakeSamples, postsFoundParked;

    private DecodeProfile() {}

    /** Clears the counters and turns the hooks on. */
    public static void start() {
        java.util.Arrays.fill(calls, 0);
        java.util.Arrays.fill(nanos, 0);
        java.util.Arrays.fill(bytes, 0);
        java.util.Arrays.fill(posts, 0);
        java.util.Arrays.fill(waits, 0);
        steps = stepNanos = 0;
        postCount = chunkCount = callerChunks = waitNanos = wakeNanos = wakeSamples = postsFoundParked = 0;
        retries0 = CpuParallel.claimRetries();
        on = true;
    }

    /** Turns the hooks off; the counters stay for {@link #report}. */
    public static void stop() { on = false; }

    public static boolean active() { return on; }

    public static void stepBegin() {
        if (on) stepT0 = System.nanoTime();
    }

    public static void stepEnd() {
        if (on) {
            stepNanos += System.nanoTime() - stepT0;
            steps++;
        }
    }

    /** Before an operation (operations do not nest). */
    public static void begin() {
        if (on) {
            opPosts0 = postCount;
            opWait0 = waitNanos;
            opT0 = System.nanoTime();
        }
    }

    /** After the operation begun last: it was of {@code category} and streamed {@code streamed} bytes. */
    public static void end(int category, long streamed) {
        if (on) {
            nanos[category] += System.nanoTime() - opT0;
            calls[category]++;
            bytes[category] += streamed;
            posts[category] += postCount - opPosts0;
            waits[category] += waitNanos - opWait0;
        }
    }

    /** One category's figures per step. */
    /** {@code waitMicros}: of {@code micros}, the caller's wait for the last worker after it ran out of chunks. */
    public record Row(String category, double callsPerStep, double postsPerStep, double micros, double waitMicros,
                      double percent, double mbPerStep, double gbs) {}

    /**
     * The figures per step since {@link #start}: one row per category that ran, then "unaccounted" (the step's time
     * outside the timed operations), then "step" (the whole step).
     */
    public record Report(long steps, List<Row> rows, double stepMicros, double stepGbs, double postsPerStep,
                         double chunksPerPost, double callerChunkShare, double waitMicrosPerStep,
                         double wakeMicrosPerPost, double parkedPostShare, double claimRetriesPerPost) {
        /** The table, with a "% of read bw" column when {@code readGbs} > 0. */
        public String table(double readGbs) {
            StringBuilder sb = new StringBuilder();
            String head = String.format(Locale.ROOT, "%-16s %10s %10s %10s %9s %7s %9s %8s", "category", "calls/step",
                    "posts/step", "us/step", "wait us", "% step", "MB/step", "GB/s");
            if (readGbs > 0) head += String.format(Locale.ROOT, " %9s", "% read bw");
            sb.append(head).append('\n').append("-".repeat(head.length())).append('\n');
            for (Row r : rows) {
                sb.append(String.format(Locale.ROOT, "%-16s %10.1f %10.1f %10.1f %9.1f %7.1f %9.2f %8.1f", r.category(),
                        r.callsPerStep(), r.postsPerStep(), r.micros(), r.waitMicros(), r.percent(), r.mbPerStep(),
                        r.gbs()));
                if (readGbs > 0) {
                    sb.append(r.mbPerStep() > 0 ? String.format(Locale.ROOT, " %9.1f", 100 * r.gbs() / readGbs) : "");
                }
                sb.append('\n');
            }
            sb.append(String.format(Locale.ROOT, "%d steps; pool: %.1f posts/step, %.1f chunks/post, %.0f%% of chunks run"
                            + " by the caller, caller waits %.1f us/step for the last worker, first worker claim %.2f us"
                            + " after a post, %.0f%% of posts found parked workers, %.1f failed claims (CAS) per post%n",
                    steps, postsPerStep, chunksPerPost, 100 * callerChunkShare, waitMicrosPerStep, wakeMicrosPerPost,
                    100 * parkedPostShare, claimRetriesPerPost));
            return sb.toString();
        }
    }

    /** The figures since {@link #start}; allocates (call it after the profiled steps). */
    public static Report report() {
        long s = Math.max(1, steps);
        double stepUs = stepNanos / 1e3 / s;
        List<Row> rows = new ArrayList<>();
        long timed = 0, allBytes = 0;
        for (int c = 0; c < N; c++) {
            if (calls[c] == 0) continue;
            timed += nanos[c];
            allBytes += bytes[c];
            double us = nanos[c] / 1e3 / s;
            rows.add(new Row(NAMES[c], (double) calls[c] / s, (double) posts[c] / s, us, waits[c] / 1e3 / s,
                    pct(us, stepUs), bytes[c] / 1e6 / s, gbs(bytes[c], nanos[c])));
        }
        double otherUs = (stepNanos - timed) / 1e3 / s;
        rows.add(new Row("unaccounted", 0, 0, otherUs, 0, pct(otherUs, stepUs), 0, 0));
        double stepGbs = gbs(allBytes, stepNanos);
        rows.add(new Row("step", 0, (double) postCount / s, stepUs, waitNanos / 1e3 / s, pct(stepUs, stepUs),
                allBytes / 1e6 / s, stepGbs));
        return new Report(steps, List.copyOf(rows), stepUs, stepGbs, (double) postCount / s,
                postCount == 0 ? 0 : (double) chunkCount / postCount,
                chunkCount == 0 ? 0 : (double) callerChunks / chunkCount, waitNanos / 1e3 / s,
                wakeSamples == 0 ? 0 : wakeNanos / 1e3 / wakeSamples,
                postCount == 0 ? 0 : (double) postsFoundParked / postCount,
                postCount == 0 ? 0 : (double) (CpuParallel.claimRetries() - retries0) / postCount);
    }

    private static double pct(double part, double whole) { return whole > 0 ? 100 * part / whole : 0; }

    private static double gbs(long b, long ns) { return ns > 0 ? (double) b / ns : 0; }
}
