package xlstm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
    @Test
    void linesAtEveryTenPercentWhenNotATerminal() {
        StringWriter sw = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(sw, true), false);
        long total = 5_000_000_000L;
        for (long done = 0; done <= total; done += 100_000_000L) bar.update("converting to bf16", done, total);
        List<String> lines = sw.toString().lines().toList();
        assertEquals(11, lines.size(), sw.toString());
        assertTrue(lines.get(0).startsWith("converting to bf16") && lines.get(0).contains("0.0%"), lines.get(0));
        assertTrue(lines.get(5).contains("50.0%") && lines.get(5).contains("2.50 GB / 5.00 GB")
                && lines.get(5).contains("ETA"), lines.get(5));
        assertTrue(lines.get(10).contains("100.0%") && lines.get(10).contains("done in"), lines.get(10));
    }

    @Test
    void sizes() {
        assertEquals(5_000_000_000L, Sizes.parse("5GB", "--max-shard-size"));
        assertEquals(1L << 30, Sizes.parse("1GiB", "--max-shard-size"));
        assertEquals(500_000_000L, Sizes.parse("500 MB", "--max-shard-size"));
        assertEquals(1234, Sizes.parse("1234", "--max-shard-size"));
        assertEquals("1:05", ProgressBar.time(65));
        assertEquals("1:00:00", ProgressBar.time(3600));
    }
}
