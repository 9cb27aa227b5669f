package xlstm.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import xlstm.runtime.UserError;

/** Byte sizes on the command line ("5GB", "500MB", "4GiB", plain bytes) and the process's memory use. */
final class Sizes {
    private Sizes() {}

    /** Parses a size as transformers' {@code max_shard_size} does: GB = 10^9, GiB = 2^30. */
    static long parse(String text, String option) {
        String t = text.strip().toUpperCase(Locale.ROOT);
        long mult = 1;
        String[][] units = {{"KIB", "1024"}, {"MIB", "1048576"}, {"GIB", "1073741824"}, {"KB", "1000"},
                {"MB", "1000000"}, {"GB", "1000000000"}, {"B", "1"}};
        for (String[] u : units) {
            if (t.endsWith(u[0])) {
                mult = Long.parseLong(u[1]);
                t = t.substring(0, t.length() - u[0].length()).strip();
                break;
            }
        }
        try {
            double v = Double.parseDouble(t);
            if (!(v > 0)) throw new NumberFormatException();
            return (long) (v * mult);
        } catch (NumberFormatException e) {
            throw new UserError(option + ": '" + text + "' is not a size; expected e.g. 5GB, 500MB or a number of bytes");
        }
    }

    /** Peak and current resident set size from /proc/self/status (Linux), e.g. "peak RSS 1.23 GB"; "" elsewhere. */
    static String rss() {
        try {
            long hwm = -1, rss = -1, anon = -1, file = -1;
            for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (l.startsWith("VmHWM:")) hwm = kb(l);
                if (l.startsWith("VmRSS:")) rss = kb(l);
                if (l.startsWith("RssAnon:")) anon = kb(l);
                if (l.startsWith("RssFile:")) file = kb(l);
            }
            if (hwm < 0) return "";
            return "peak RSS " + ProgressBar.bytes(hwm * 1024) + "; RSS now " + ProgressBar.bytes(rss * 1024)
                    + (anon >= 0 ? " (anonymous " + ProgressBar.bytes(anon * 1024) + ", mapped files "
                    + ProgressBar.bytes(file * 1024) + ")" : "");
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static long kb(String line) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }
}
