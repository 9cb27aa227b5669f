package xlstm.runtime.cuda;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import xlstm.backends.cuda.CuEvent;
import xlstm.backends.cuda.CudaContext;

/**
 * Where the device time of a queued pass goes: {@link #mark} records an event after the work queued since the
 * previous mark and charges the time between the two to a label; {@link #collect} waits and sums per label. The
 * events go on the stream between the launches, so the pass runs launch by launch (not as a graph) and the gaps
 * between kernels are charged to the kernel that follows them. Events are made once and reused.
 */
final class StepTimer implements AutoCloseable {
    private final CudaContext ctx;
    private final List<CuEvent> events = new ArrayList<>();
    private final List<String> labels = new ArrayList<>();
    private final Map<String, double[]> totals = new LinkedHashMap<>(); // label -> {ms, calls}
    private int used;
    private int passes;

    StepTimer(CudaContext ctx) {
        this.ctx = ctx;
    }

    private CuEvent next() {
        if (used == events.size()) events.add(ctx.event());
        return events.get(used++);
    }

    /** Starts a pass: the reference event. */
    void begin() {
        used = 0;
        labels.clear();
        next().record();
    }

    /** Charges the work queued since the last mark (or {@link #begin}) to {@code label}. */
    void mark(String label) {
        next().record();
        labels.add(label);
    }

    /** Waits for the pass and adds its times per label. */
    void collect() {
        for (int i = 0; i < labels.size(); i++) {
            double ms = events.get(i + 1).millisSince(events.get(i));
            double[] t = totals.computeIfAbsent(labels.get(i), k -> new double[2]);
            t[0] += ms;
            t[1]++;
        }
        passes++;
    }

    /** One row per label: milliseconds and calls per pass, share of the pass; then the whole pass. */
    String table() {
        double all = 0;
        for (double[] t : totals.values()) all += t[0];
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-28s %9s %7s %9s %6s%n", "operation", "ms/pass",
                "calls", "us/call", "share"));
        for (Map.Entry<String, double[]> e : totals.entrySet()) {
            double ms = e.getValue()[0] / passes, calls = e.getValue()[1] / passes;
            sb.append(String.format(Locale.ROOT, "%-28s %9.3f %7.0f %9.1f %5.1f%%%n", e.getKey(), ms, calls,
                    1000 * ms / calls, 100 * e.getValue()[0] / all));
        }
        sb.append(String.format(Locale.ROOT, "%-28s %9.3f%n", "whole pass (launch by launch)", all / passes));
        return sb.toString();
    }

    @Override
    public void close() {
        for (CuEvent e : events) e.close();
        events.clear();
    }
}
