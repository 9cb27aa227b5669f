package xlstm.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xlstm.runtime.UserError;
import xlstm.training.loop.LossPlot;

class GpuSpeedPlotTest {
    /** Lines as scripts/gpu-check.sh prints them (the bench table and PyTorch's summary), among others. */
    static final List<String> LOG = List.of(
            "=== bench --backend cuda",
            "copy                                    2048 MiB                         1.014         -  4234 GB/s = 88% of 4.8 TB/s",
            "decode (device loop)                    batch 1                          4.401       227  13.72 GB/step: 65% of 4.8 TB/s, 74% of the measured copy",
            "decode (device loop)                    batch 16                         5.845      2737  16.54 GB/step: 59% of 4.8 TB/s",
            "prefill                                 S 2048                          52.194     39238  26.8 TFLOP: 513 TFLOP/s = 52% of 989 bf16 (limit 76k tok/s)",
            "prefill                                 S 8192                         210.001     39009  107.0 TFLOP: 510 TFLOP/s = 52% of 989 bf16 (limit 76k tok/s)",
            "prefill 2048 tokens: 397.1 ms, 5158 tokens/s (last logits finite: True, cache returned: True)",
            "torch peer: prefill 2048 tokens: 397.1 ms, 5158 tokens/s",
            "torch peer: prefill 8192 tokens: - ms, - tokens/s",
            "torch peer: decode batch 1: 47.51 ms/step, 21.0 tokens/s");

    @Test
    void readsTheTableAndThePeer() {
        List<GpuSpeedPlot.Phase> p = GpuSpeedPlot.parse(Path.of("gpu-check.log"), LOG);
        assertEquals(3, p.size());
        assertEquals(new GpuSpeedPlot.Phase("decode, batch 1", 300, 227, 21.0, 4234 / 13.72), p.get(0));
        assertEquals(new GpuSpeedPlot.Phase("prefill, 2048 tokens", 50_000, 39238, 5158, 76_000), p.get(1));
        GpuSpeedPlot.Phase last = p.get(2);
        assertEquals(39009, last.ours());
        assertTrue(Double.isNaN(last.peer()), "a skipped peer row is no value");
    }

    @Test
    void theDecodeLimitIsTheMeasuredReadWhereTheLogHasIt() {
        List<String> withRead = new java.util.ArrayList<>(LOG);
        withRead.add(2, "read                                    2048 MiB                         0.475         -  4521 GB/s = 94% of 4.8 TB/s");
        GpuSpeedPlot.Phase decode = GpuSpeedPlot.parse(Path.of("gpu-check.log"), withRead).get(0);
        assertEquals(4521 / 13.72, decode.limit(), 1e-9);
    }

    @Test
    void aLogWithoutTheTableIsOneClearError() {
        UserError e = assertThrows(UserError.class,
                () -> GpuSpeedPlot.parse(Path.of("other.log"), List.of("gpu-check: FAILED: bench --backend cuda")));
        assertTrue(e.getMessage().startsWith("other.log: no \"decode (device loop) batch 1\" row"), e.getMessage());
    }

    @Test
    void drawsThePng(@TempDir Path tmp) throws Exception {
        Path png = tmp.resolve("gpu-speed.png");
        GpuSpeedPlot.write(png, "gpu-check.log", GpuSpeedPlot.parse(Path.of("gpu-check.log"), LOG));
        if (LossPlot.available()) assertTrue(Files.size(png) > 1000);
    }
}
