package xlstm.runtime.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import xlstm.backends.cpu.CpuParallel;
import xlstm.backends.cpu.DecodeProfile;
import xlstm.runtime.config.XlstmLargeConfig;

/** {@link DecodeProfile} over decode steps of a small xLSTM Large: what it counts per step, and its on/off switch. */
class DecodeProfileTest {
    @Test
    void countsEveryOperationOfAStepAndItsWeights() {
        int e = 64, blocks = 3, vocab = 500, steps = 7;
        XlstmLargeConfig cfg = XlstmLargeConfig.of(e, 4, blocks, vocab).withMode("inference", true);
        RandomWeights w = new RandomWeights(0.1f);
        w.require("embedding.weight", vocab, e);
        XlstmLarge model = XlstmLarge.load(cfg, w);
        LargeState state = model.newState(1);
        long[] ids = {3};
        model.step(ids, state);
        DecodeProfile.start();
        try {
            for (int t = 0; t < steps; t++) model.step(ids, state);
        } finally {
            DecodeProfile.stop();
        }
        DecodeProfile.Report r = DecodeProfile.report();
        assertFalse(DecodeProfile.active());
        model.step(ids, state); // off: counts nothing more
        assertEquals(r.steps(), DecodeProfile.report().steps());
        assertEquals(steps, r.steps());

        Map<String, DecodeProfile.Row> rows = r.rows().stream()
                .collect(Collectors.toMap(DecodeProfile.Row::category, Function.identity()));
        int norms = 2 * blocks + (cfg.addOutNorm() ? 1 : 0);
        assertEquals(norms, rows.get("rms norm").callsPerStep(), 1e-9);
        for (String perBlock : new String[] {"linear qkvo|if", "mlstm step", "head norm", "output gate", "out linear",
                "ffn gate|up", "swiglu", "down"}) {
            assertEquals(blocks, rows.get(perBlock).callsPerStep(), 1e-9, perBlock);
        }
        assertEquals(2 * blocks, rows.get("residual add").callsPerStep(), 1e-9);
        assertEquals(1, rows.get("lm head").callsPerStep(), 1e-9);
        assertEquals(1, rows.get("embedding").callsPerStep(), 1e-9);
        // f32 weights: the head streams vocab x E floats, a block's down projection E x ffn
        assertEquals(4.0 * vocab * e / 1e6, rows.get("lm head").mbPerStep(), 1e-9);
        assertEquals(4.0 * blocks * e * cfg.ffnUpProjDim() / 1e6, rows.get("down").mbPerStep(), 1e-9);

        // the categories are timed inside the step: they sum to the step less a non-negative rest
        DecodeProfile.Row rest = rows.get("unaccounted"), step = rows.get("step");
        double timed = r.rows().stream().filter(x -> x != rest && x != step).mapToDouble(DecodeProfile.Row::micros).sum();
        assertTrue(rest.micros() >= 0, "unaccounted " + rest.micros() + " us");
        assertEquals(step.micros(), timed + rest.micros(), 1e-6 * step.micros());
        assertEquals(r.stepMicros(), step.micros(), 0);
        for (DecodeProfile.Row row : r.rows()) {
            assertTrue(row.waitMicros() >= 0 && row.waitMicros() <= row.micros(), row.toString());
            if (row.postsPerStep() == 0 && row != step) assertEquals(0, row.waitMicros(), 0, "no post, no wait: " + row);
        }
        if (CpuParallel.threads() > 1) {
            assertTrue(r.postsPerStep() >= 1, "the lm head at least posts to the pool: " + r.postsPerStep());
            assertEquals(r.postsPerStep(), r.rows().stream().filter(x -> x != rest && x != step)
                    .mapToDouble(DecodeProfile.Row::postsPerStep).sum(), 1e-9, "every post falls in a category");
        }
        String table = r.table(0);
        for (DecodeProfile.Row row : r.rows()) assertTrue(table.contains(row.category()), table);
        assertFalse(table.contains("% read bw"), table);
        assertTrue(r.table(10).contains("% read bw"));
    }
}
