package xlstm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands' normal paths, in-process. */
class CommandsTest {
    /** The fixtures as the golden-tests module holds them (the cli tests run in the cli module's folder). */
    static final Path GOLDEN = Path.of("..", "golden-tests", "src", "test", "resources", "golden");

    @TempDir Path tmp;

    @Test
    void devicesListsEveryBackend() {
        Cli.Result r = Cli.run("devices").assertOk();
        List<String> lines = r.out().strip().lines().toList();
        assertTrue(lines.get(0).matches("rank\\s+backend\\s+available\\s+device\\s+reason"), lines.get(0));
        List<String> rows = lines.subList(1, 6);
        for (String b : List.of("cuda", "hip", "metal", "opencl", "cpu")) {
            assertEquals(1, rows.stream().filter(l -> l.matches("\\d\\s+" + b + "\\s+(yes|no)\\s+.*")).count(),
                    b + " has one ranked row:\n" + r.out());
        }
        assertTrue(rows.stream().anyMatch(l -> l.matches("\\d\\s+cpu\\s+yes\\s+.*\\d+ bits.*\\d+ threads.*")), r.out());
        assertTrue(rows.stream().anyMatch(l -> l.matches("1\\s+cuda\\s+(no\\s+.*CUDA: .*|yes\\s+.*sm_\\d+.*NVRTC.*)")), r.out());
        assertTrue(rows.stream().anyMatch(l -> l.matches("\\d\\s+hip\\s+no\\s+.*(libamdhip64|device).*")), r.out());
        if (!System.getProperty("os.name").toLowerCase().contains("mac")) {
            assertTrue(rows.stream().anyMatch(l -> l.contains("metal") && l.contains("Metal needs macOS")), r.out());
        }
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("auto: ")), "says what auto picks:\n" + r.out());
        assertTrue(r.out().contains("stay in Java"), "says that linear algebra stays in Java:\n" + r.out());
    }

    @Test
    void autoSaysWithVerboseWhichBackendItTookAndWhy() {
        Path cell = GOLDEN.resolve("mlstm_cell_state");
        Cli.Result r = Cli.run("--verbose", "verify", cell.toString(), "--backend", "auto").assertOk();
        assertTrue(r.err().lines().anyMatch(l -> l.startsWith("backend ") && l.contains("(auto") && l.contains("skipped")
                && l.contains("cuda: ")), r.err());
        assertTrue(r.out().strip().endsWith("1 passed, 0 failed"), r.out());
        Cli.Result forced = Cli.run("--verbose", "verify", cell.toString(), "--backend", "cpu").assertOk();
        assertTrue(forced.err().lines().noneMatch(l -> l.contains("(auto")), "no note when a backend is named: " + forced.err());
    }

    @Test
    void verifyPrintsOneLinePerCheckAndTheCount() {
        Path cell = GOLDEN.resolve("mlstm_cell_state");
        Cli.Result r = Cli.run("verify", cell.toString(), "--backend", "cpu");
        List<String> lines = r.out().strip().lines().toList();
        for (String l : lines.subList(0, lines.size() - 1)) {
            assertTrue(l.matches("(PASS|FAIL) mlstm_cell_state \\S+ max_abs_err=\\S+ tol=\\S+( \\(.*\\))?"), l);
        }
        assertTrue(lines.stream().anyMatch(l -> l.contains(" h[sequence] ")), r.out());
        assertTrue(lines.stream().anyMatch(l -> l.contains(" c_last[chunkwise:16] ")), r.out());
        for (String grad : List.of("dq", "dk", "dv", "di", "df")) {
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("PASS mlstm_cell_state grad[" + grad + "] ")), r.out());
        }
        assertEquals("1 passed, 0 failed", lines.getLast(), r.out() + r.err());
        assertEquals(0, r.code());
    }

    @Test
    void verifyChecksTheGradientsOfAModelCase() {
        Cli.Result r = Cli.run("verify", GOLDEN.resolve("lm_model_small").toString(), "--backend", "cpu").assertOk();
        assertTrue(r.out().contains("PASS lm_model_small loss[train] "), r.out());
        assertTrue(r.out().contains("PASS lm_model_small grad[token_embedding.weight] "), r.out());
        assertTrue(r.out().contains("PASS lm_model_small grad[xlstm_block_stack.blocks.1.xlstm.slstm_cell._bias_] "), r.out());
        assertTrue(r.out().strip().endsWith("1 passed, 0 failed"), r.out());
    }

    @Test
    void verifySkipsPlainFilesAndExpandsAFolderOfCases() throws IOException {
        Path readme = tmp.resolve("README.md");
        Files.writeString(readme, "not a case");
        Path parent = tmp.resolve("cases");
        Files.createDirectories(parent);
        try (Stream<Path> s = Files.list(GOLDEN.resolve("mlstm_siging_cell"))) {
            Path dst = parent.resolve("mlstm_siging_cell");
            Files.createDirectories(dst);
            for (Path f : s.toList()) Files.copy(f, dst.resolve(f.getFileName()));
        }
        Cli.Result r = Cli.run("verify", readme.toString(), parent.toString());
        assertTrue(r.err().contains("skipping " + readme), r.err());
        assertEquals("1 passed, 0 failed", r.out().strip().lines().toList().getLast(), r.out());
        r.assertOk();
    }

    @Test
    void aFailingCheckExitsWithOne() throws IOException {
        // the same case with a reference output changed: the comparison must catch it
        Path dst = tmp.resolve("mlstm_cell_state");
        Files.createDirectories(dst);
        try (Stream<Path> s = Files.list(GOLDEN.resolve("mlstm_cell_state"))) {
            for (Path f : s.toList()) Files.copy(f, dst.resolve(f.getFileName()));
        }
        var io = xlstm.runtime.io.SafetensorsFile.open(dst.resolve("io.safetensors"));
        var tensors = new java.util.LinkedHashMap<String, xlstm.runtime.tensor.Tensor>();
        for (String n : io.names()) tensors.put(n, io.tensor(n).copy());
        io.close();
        tensors.get("h").setFloat(7, tensors.get("h").getFloat(7) + 0.5f);
        xlstm.runtime.io.SafetensorsWriter.write(dst.resolve("io.safetensors"), tensors);
        Cli.Result r = Cli.run("verify", dst.toString());
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("FAIL mlstm_cell_state h[sequence] ")), r.out());
        assertEquals("0 passed, 1 failed", r.out().strip().lines().toList().getLast());
    }

    @Test
    void noSubcommandShowsUsage() {
        Cli.Result r = Cli.run();
        assertEquals(2, r.code());
        assertTrue(r.err().contains("verify") && r.err().contains("generate"), r.err());
    }

    @Test
    void helpOfEveryCommand() {
        for (String c : List.of("verify", "compile", "generate", "devices", "bench")) {
            Cli.Result r = Cli.run(c, "--help").assertOk();
            assertTrue(r.out().contains("Usage: xlstm " + c), r.out());
        }
    }

    @Test
    void generatePrintsTheNewTokenIds() throws IOException {
        Path model = TestFiles.checkpoint(tmp.resolve("model"), TestFiles.tinyWeights());
        Cli.Result r = Cli.run("generate", "--model", model.toString(), "--prompt-ids", "1,2,3", "-n", "5").assertOk();
        String ids = r.out().strip();
        assertTrue(ids.matches("\\d+(,\\d+){4}"), "five comma-separated ids: " + ids);
        for (String id : ids.split(",")) assertTrue(Integer.parseInt(id) < TestFiles.VOCAB, ids);
    }

    @Test
    void benchRunsAQuickTable() {
        Cli.Result r = Cli.run("bench", "--backend", "cpu", "--seq", "16,40", "--skip-model", "--warmup", "0").assertOk();
        assertTrue(r.out().contains("chunkwise") && r.out().contains("parallel") && r.out().contains("tokens/s"), r.out());
        assertTrue(r.err().contains("[1/6]"), "progress lines: " + r.err());
    }

    @Test
    void benchOfACheckpointPrintsJsonLinesAndTheLogits() throws IOException {
        Path model = TestFiles.checkpoint(tmp.resolve("model"), TestFiles.tinyWeights());
        Path logits = tmp.resolve("logits.safetensors");
        Cli.Result r = Cli.run("bench", "--backend", "cpu", "--model", model.toString(), "--prefill", "8,20",
                "--decode", "5", "--batch", "1,3", "--repeats", "2", "--warmup", "0", "--bandwidth", "4",
                "--logits-out", logits.toString(), "--json").assertOk();
        List<com.fasterxml.jackson.databind.JsonNode> all = r.out().strip().lines().map(TestFiles::json).toList();
        // copy, read (one and two streams per thread), and read on huge pages where the OS takes the advice
        List<com.fasterxml.jackson.databind.JsonNode> bw = all.stream().filter(l -> l.get("phase").asText().equals("bandwidth")).toList();
        List<String> kinds = bw.stream().map(l -> l.get("kind").asText()).toList();
        assertTrue(kinds.equals(List.of("copy", "read", "read_2_streams"))
                || kinds.equals(List.of("copy", "read", "read_2_streams", "read_huge_pages")), r.out());
        for (var l : bw) assertTrue(l.get("best_gbs").asDouble() > 0 && l.get("threads").asInt() >= 1, r.out());
        List<com.fasterxml.jackson.databind.JsonNode> lines = new java.util.ArrayList<>(all);
        lines.removeAll(bw.subList(1, bw.size())); // one bandwidth line left, for the indices below
        assertEquals(List.of("host", "bandwidth", "load", "logits", "decode", "decode", "prefill", "prefill"),
                lines.stream().map(l -> l.get("phase").asText()).toList(), r.out());
        assertEquals("cpu", lines.get(0).get("backend").asText());
        assertEquals(16, lines.get(2).get("embedding_dim").asInt());
        assertEquals(3, lines.get(5).get("batch").asInt());
        assertEquals(5, lines.get(5).get("steps").asInt());
        var d = lines.get(5);
        assertEquals(3 / d.get("median_step_s").asDouble(), d.get("tok_s").asDouble(), 1e-6 * d.get("tok_s").asDouble());
        var p = lines.get(7);
        assertEquals(20, p.get("tokens").asInt());
        assertEquals(3, p.get("runs_with_warmup").asInt(), "one warm-up run and the two timed ones: " + p);
        assertEquals(20 / p.get("median_s").asDouble(), p.get("tok_s").asDouble(), 1e-6 * p.get("tok_s").asDouble());
        try (var f = xlstm.runtime.io.SafetensorsFile.open(logits)) {
            assertEquals(List.of(1L, 32L), java.util.Arrays.stream(f.shapeOf("input_ids")).boxed().toList());
            assertEquals(List.of(1L, 32L, (long) TestFiles.VOCAB),
                    java.util.Arrays.stream(f.shapeOf("logits")).boxed().toList());
        }
    }

    @Test
    void benchProfilesTheDecodeStep() throws IOException {
        Path model = TestFiles.checkpoint(tmp.resolve("model"), TestFiles.tinyWeights());
        Cli.Result r = Cli.run("bench", "--backend", "cpu", "--model", model.toString(), "--prefill", "0", "--decode", "4",
                "--batch", "2", "--warmup", "0", "--bandwidth", "4", "--profile", "--json").assertOk();
        List<com.fasterxml.jackson.databind.JsonNode> all = r.out().strip().lines().map(TestFiles::json).toList();
        double bestRead = all.stream().filter(l -> l.get("phase").asText().equals("bandwidth")
                && l.get("kind").asText().startsWith("read")).mapToDouble(l -> l.get("best_gbs").asDouble()).max().orElse(-1);
        List<com.fasterxml.jackson.databind.JsonNode> lines = all.stream()
                .filter(l -> !l.get("phase").asText().equals("bandwidth")).toList();
        assertEquals(List.of("host", "load", "decode", "profile"),
                lines.stream().map(l -> l.get("phase").asText()).toList(), r.out());
        var p = lines.get(3);
        assertEquals(2, p.get("batch").asInt());
        assertEquals(4, p.get("steps").asInt());
        assertEquals(bestRead, p.get("read_gbs").asDouble(), 0, "the best read bandwidth");
        java.util.Map<String, com.fasterxml.jackson.databind.JsonNode> rows = new java.util.LinkedHashMap<>();
        p.get("rows").forEach(row -> rows.put(row.get("category").asText(), row));
        assertTrue(rows.keySet().containsAll(List.of("embedding", "rms norm", "linear qkvo|if", "mlstm step",
                "out linear", "ffn gate|up", "swiglu", "down", "lm head", "unaccounted", "step")), rows.keySet().toString());
        double sum = 0;
        for (var row : rows.values()) if (!row.get("category").asText().equals("step")) sum += row.get("us_per_step").asDouble();
        assertEquals(p.get("step_us").asDouble(), sum, 1e-6 * sum, "the categories and the rest make up the step");
        // the random checkpoint's head (vocab x E f32) is what the lm head row streams
        assertEquals(4.0 * TestFiles.VOCAB * 16 / 1e6, rows.get("lm head").get("mb_per_step").asDouble(), 1e-9);

        Cli.Result text = Cli.run("bench", "--model", model.toString(), "--prefill", "0", "--decode", "3",
                "--batch", "1", "--warmup", "0", "--profile").assertOk();
        assertTrue(text.out().contains("decode step profile, batch 1") && text.out().contains("lm head")
                && text.out().contains("posts/step") && !text.out().contains("% read bw"), text.out());
        Cli.run("bench", "--model", model.toString(), "--decode", "0", "--profile").assertUserError("--profile");
    }

    @Test
    void benchPrintsTheModelTableOfACheckpoint() throws IOException {
        Path model = TestFiles.checkpoint(tmp.resolve("model"), TestFiles.tinyWeights());
        Cli.Result r = Cli.run("bench", "--model", model.toString(), "--prefill", "6", "--decode", "3",
                "--batch", "2", "--repeats", "1", "--warmup", "0").assertOk();
        assertTrue(r.out().contains("E=16, 1 blocks") && r.out().contains("2 x 1 per step")
                && !r.out().contains("mLSTM cell"), r.out());
        Cli.run("bench", "--model", model.toString(), "--batch", "0").assertUserError("--batch");
        Cli.Result none = Cli.run("bench", "--model", model.toString(), "--prefill", "0", "--decode", "0", "--json").assertOk();
        assertEquals(List.of("host", "load"), none.out().strip().lines().map(TestFiles::json)
                .map(l -> l.get("phase").asText()).toList(), none.out());
        Cli.run("bench", "--model", tmp.resolve("nothing").toString()).assertUserError("not a directory");
    }
}
