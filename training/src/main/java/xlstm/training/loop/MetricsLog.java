package xlstm.training.loop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import xlstm.runtime.UserError;

/**
 * The run's CSV log: {@code step,lr,loss,val_loss,grad_norm,tokens_per_s}, one row per step (val_loss empty
 * between evaluations). Rows are appended and flushed as they come; a resumed run first cuts the file back to the
 * checkpoint's step, so the file always describes one uninterrupted run.
 */
public final class MetricsLog {
    public static final String HEADER = "step,lr,loss,val_loss,grad_norm,tokens_per_s";
    private final Path file;
    private final List<StepRecord> rows = new ArrayList<>();

    private MetricsLog(Path file) { this.file = file; }

    /** A new log (an existing file is replaced). */
    public static MetricsLog create(Path file) {
        MetricsLog log = new MetricsLog(file);
        log.rewrite();
        return log;
    }

    /** The existing log cut back to the rows of steps {@code <= step}. */
    public static MetricsLog resume(Path file, long step) {
        MetricsLog log = new MetricsLog(file);
        for (StepRecord r : read(file)) if (r.step() <= step) log.rows.add(r);
        log.rewrite();
        return log;
    }

    public List<StepRecord> rows() { return List.copyOf(rows); }

    public Path file() { return file; }

    public void append(StepRecord r) {
        rows.add(r);
        try {
            Files.writeString(file, row(r) + "\n", java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UserError(file + ": cannot write the log (" + e.getMessage() + ")", e);
        }
    }

    private void rewrite() {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (StepRecord r : rows) sb.append(row(r)).append('\n');
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, sb);
        } catch (IOException e) {
            throw new UserError(file + ": cannot write the log (" + e.getMessage() + ")", e);
        }
    }

    /** Full precision ({@code %s} of a double round-trips), so a resumed run's rows compare exactly. */
    static String row(StepRecord r) {
        return String.format(Locale.ROOT, "%d,%s,%s,%s,%s,%.1f", r.step(), r.lr(), r.loss(),
                r.evaluated() ? Double.toString(r.valLoss()) : "", r.gradNorm(), r.tokensPerS());
    }

    public static List<StepRecord> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UserError(file + ": cannot read the log (" + e.getMessage() + ")", e);
        }
        List<StepRecord> out = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split(",", -1);
            try {
                out.add(new StepRecord(Long.parseLong(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]),
                        f[3].isEmpty() ? Double.NaN : Double.parseDouble(f[3]), Double.parseDouble(f[4]),
                        Double.parseDouble(f[5])));
            } catch (RuntimeException e) {
                throw new UserError(file + ":" + (i + 1) + ": not a log row (" + HEADER + "): " + lines.get(i));
            }
        }
        return out;
    }
}
