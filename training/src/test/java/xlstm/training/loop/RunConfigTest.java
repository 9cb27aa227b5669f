package xlstm.training.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xlstm.runtime.UserError;

class RunConfigTest {
    @TempDir Path tmp;

    private static final String GOOD = """
            model:
              type: lm
              config:
                vocab_size: 3
                embedding_dim: 16
                num_blocks: 2
                slstm_at: [1]
                context_length: 256
                mlstm_block: {mlstm: {num_heads: 1}}
                slstm_block: {slstm: {num_heads: 1, backend: vanilla}}
            data:
              type: parity
            training:
              steps: 10
              lr: 0.002
              betas: [0.8, 0.99]
            out: runs/p
            """;

    private Path write(String name, String text) throws Exception {
        Path f = tmp.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    @Test
    void aGoodConfigReadsWithDefaultsAndRoundTripsThroughJson() throws Exception {
        RunConfig c = RunConfig.load(write("good.yaml", GOOD));
        assertInstanceOf(ModelSpec.Lm.class, c.model());
        assertInstanceOf(DataConfig.Parity.class, c.data());
        assertEquals(10, c.training().steps());
        assertEquals(0.002 / 1000, c.training().minLr(), 1e-18);
        assertEquals(0.8, c.training().beta1());
        assertEquals(10, c.training().warmupSteps(), "the default warm-up is clipped to the run");
        RunConfig again = RunConfig.fromJson(c.toJson());
        assertEquals(c.toJson(), again.toJson());
        assertEquals(xlstm.training.data.ParityTask.Targets.LAST, ((DataConfig.Parity) c.data()).train().targets());
        assertTrue(!c.toJson().get("data").has("targets"), "the default is not written: earlier run.json stays valid");
        RunConfig every = RunConfig.load(write("every.yaml", GOOD.replace("type: parity", "type: parity\n  targets: every")));
        DataConfig.Parity p = (DataConfig.Parity) every.data();
        assertEquals(xlstm.training.data.ParityTask.Targets.EVERY, p.train().targets());
        assertEquals(xlstm.training.data.ParityTask.Targets.LAST, p.test().targets(), "the test scores the last bit");
        assertEquals(every.toJson(), RunConfig.fromJson(every.toJson()).toJson());
    }

    /** The message names the file, the option's line and the option. */
    private void assertBad(String yaml, int line, String option, String fragment) throws Exception {
        Path f = write("bad.yaml", yaml);
        UserError e = assertThrows(UserError.class, () -> RunConfig.load(f));
        String m = e.getMessage();
        assertTrue(m.startsWith(f + (line > 0 ? ":" + line + ": " : ": ")), m);
        assertTrue(m.contains("'" + option + "'"), m);
        assertTrue(m.contains(fragment), m);
    }

    @Test
    void badOptionsNameFileLineAndOption() throws Exception {
        assertBad(GOOD.replace("lr: 0.002", "lr: -1"), 15, "training.lr", "positive");
        assertBad(GOOD.replace("lr: 0.002", "lr: 0.002\n  lrr: 3"), 16, "training.lrr", "unknown option");
        assertBad(GOOD.replace("context_length: 256", "context_length: 64"), 8, "model.config.context_length", "256");
        assertBad(GOOD.replace("num_heads: 1, backend", "num_heads: 3, backend"), 10,
                "model.config.slstm_block.slstm.num_heads", "does not divide");
        assertBad(GOOD.replace("type: parity", "type: music"), 12, "data.type", "text, parity");
        assertBad(GOOD.replace("type: parity", "type: text"), 11, "data.file", "required");
        assertBad(GOOD.replace("type: parity", "type: parity\n  targets: all"), 13, "data.targets", "last, every");
        assertBad(GOOD.replace("out: runs/p", ""), 0, "out", "required");
        assertBad(GOOD.replace("betas: [0.8, 0.99]", "betas: [0.8]"), 16, "training.betas", "[beta1, beta2]");
        assertBad(GOOD.replace("steps: 10", "steps: 10\n  warmup_steps: 11"), 15, "training.warmup_steps", "[0, steps");
        assertBad("""
                model:
                  type: large
                  config: {embedding_dim: 16, num_heads: 2, num_blocks: 1, vocab_size: 8,
                           weight_mode: fused}
                data: {type: parity}
                out: r
                """, 4, "model.config.weight_mode", "single");
    }

    @Test
    void jsonConfigsGetLinesToo() throws Exception {
        Path f = write("bad.json", """
                {"model": {"type": "bigram", "vocab_size": 256},
                 "data": {"type": "text", "file": "x.txt"},
                 "training": {"steps": 0},
                 "out": "r"}
                """);
        UserError e = assertThrows(UserError.class, () -> RunConfig.load(f));
        assertTrue(e.getMessage().startsWith(f + ":3: config option 'training.steps'"), e.getMessage());
    }

    @Test
    void theExampleConfigsRead() throws Exception {
        Path dir = Path.of("..", "examples", "train"); // tests run in the module's directory
        try (var files = Files.list(dir)) {
            List<Path> configs = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
            List<String> names = configs.stream().map(f -> f.getFileName().toString()).toList();
            assertTrue(names.containsAll(List.of("bigram-readme.yaml", "large-text.yaml", "lm-text.yaml",
                    "parity-lm.yaml")), names.toString());
            for (Path f : configs) RunConfig.load(f);
        }
    }

    @Test
    void optionLinesFollowTheKeysInOrder() {
        String yaml = "a:\n  lr: 1\nb:\n  c:\n    lr: 2\n";
        assertEquals(5, OptionLines.find(yaml, "b.c.lr"));
        assertEquals(2, OptionLines.find(yaml, "a.lr"));
        assertEquals(3, OptionLines.find(yaml, "b.missing"));
        assertEquals(0, OptionLines.find(yaml, "zzz"));
    }
}
