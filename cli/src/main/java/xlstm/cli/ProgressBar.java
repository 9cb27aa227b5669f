package xlstm.cli;

import java.io.PrintWriter;
import java.util.Locale;
import xlstm.runtime.checkpoint.ProgressListener;

/**
 * A progress bar on stderr for loading, converting and training: phase, bar, bytes (or steps) done of total, rate
 * and ETA, and for steps a detail the caller gives (loss, tokens/s). On a terminal it redraws one line (at most 10
 * times a second); otherwise (forced with --progress, e.g. into a log) it prints a line at every 10 %.
 */
final class ProgressBar implements ProgressListener {
    private static final int WIDTH = 30;
    private final PrintWriter err;
    private final boolean terminal;
    private final boolean steps;
    private String detail = "";
    private String phase;
    private long start, lastDraw, startDone; // startDone: a resumed count's rate counts only this run's part
    private int lastDecile = -1;
    private boolean open;

    ProgressBar(PrintWriter err, boolean terminal) { this(err, terminal, false); }

    /** With {@code steps} the counts are steps ("step 120/1000") instead of bytes. */
    ProgressBar(PrintWriter err, boolean terminal, boolean steps) {
        this.err = err;
        this.terminal = terminal;
        this.steps = steps;
    }

    /** A step counter when {@code forced} says so (null: when stderr is a terminal), else null. */
    static ProgressBar forSteps(PrintWriter err, Boolean forced) {
        boolean tty = System.console() != null && System.console().isTerminal();
        if (forced == null ? !tty : !forced) return null;
        return new ProgressBar(err, tty, true);
    }

    /** As {@link #update(String, long, long)} with a detail shown after the counts (e.g. "loss 2.31"). */
    synchronized void update(String ph, long done, long total, String detail) {
        this.detail = detail == null ? "" : detail;
        update(ph, done, total);
    }

    /** A bar when {@code mode} says so: "on", "off", or "auto" (on when stderr is a terminal). */
    static ProgressListener of(PrintWriter err, Boolean forced) {
        boolean tty = System.console() != null && System.console().isTerminal();
        if (forced == null ? !tty : !forced) return ProgressListener.NONE;
        return new ProgressBar(err, tty);
    }

    @Override
    public synchronized void update(String ph, long done, long total) {
        long now = System.nanoTime();
        if (!ph.equals(phase)) {
            finishLine();
            phase = ph;
            start = now;
            startDone = Math.min(done, total);
            lastDraw = 0;
            lastDecile = -1;
        }
        done = Math.min(done, total);
        boolean end = done >= total;
        if (terminal) {
            if (!end && now - lastDraw < 100_000_000L) return;
            lastDraw = now;
            err.print("\r" + line(done, total, now) + "\u001b[K");
            open = true;
            if (end) finishLine();
        } else {
            int decile = total <= 0 ? 10 : (int) (done * 10 / total);
            if (decile == lastDecile) return;
            lastDecile = decile;
            err.println(line(done, total, now));
        }
        err.flush();
    }

    private void finishLine() {
        if (open) {
            err.println();
            open = false;
        }
    }

    private String line(long done, long total, long now) {
        double frac = total <= 0 ? 1 : (double) done / total;
        int fill = (int) Math.round(frac * WIDTH);
        double secs = (now - start) / 1e9;
        double rate = secs > 0 ? (done - startDone) / secs : 0;
        String eta = done >= total ? "done in " + time(secs) : rate > 0 ? "ETA " + time((total - done) / rate) : "ETA --:--";
        if (steps) {
            return String.format(Locale.ROOT, "%-10s [%s%s] %5.1f%%  step %d/%d  %s  %s", phase, "#".repeat(fill),
                    ".".repeat(WIDTH - fill), frac * 100, done, total, detail, eta);
        }
        return String.format(Locale.ROOT, "%-22s [%s%s] %5.1f%%  %s / %s  %s/s  %s", phase, "#".repeat(fill),
                ".".repeat(WIDTH - fill), frac * 100, bytes(done), bytes(total), bytes((long) rate), eta);
    }

    static String bytes(long b) {
        if (b >= 1L << 30) return String.format(Locale.ROOT, "%.2f GB", b / 1e9);
        if (b >= 1L << 20) return String.format(Locale.ROOT, "%.1f MB", b / 1e6);
        if (b >= 1L << 10) return String.format(Locale.ROOT, "%.1f kB", b / 1e3);
        return b + " B";
    }

    static String time(double s) {
        long t = Math.round(s);
        return t >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60)
                : String.format(Locale.ROOT, "%d:%02d", t / 60, t % 60);
    }
}
