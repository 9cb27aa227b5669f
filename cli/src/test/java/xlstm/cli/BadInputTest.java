package xlstm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xlstm.runtime.tensor.Tensor;

/**
 * Every bad input of the issue, through the real command line: exit status 2, one line on stderr naming the file
 * and tensor (or option) at fault, and no stack trace.
 */
class BadInputTest {
    @TempDir Path tmp;

    // ------------------------------------------------------------------ DSL

    private Path xl(String name, String source) throws IOException {
        Path f = tmp.resolve(name);
        Files.writeString(f, source);
        return f;
    }

    private Cli.Result compile(Path file) {
        return Cli.run("compile", file.toString(), "--target", "java", "--out", tmp.resolve("out").toString());
    }

    /** Each line is {@code file:line:col: message}. */
    private static void assertDslError(Cli.Result r, Path file, int line) {
        assertEquals(2, r.code(), "exit code\n" + r.err());
        r.assertNoStackTrace();
        List<String> lines = r.err().strip().lines().toList();
        assertTrue(!lines.isEmpty(), "a message");
        for (String l : lines) {
            assertTrue(l.matches("\\S+:\\d+:\\d+: .+"), "file:line:col: message, got: " + l);
        }
        assertTrue(lines.get(0).startsWith(file.toString() + ":" + line + ":")
                        || lines.get(0).startsWith(file.getFileName() + ":" + line + ":"),
                "the first error is at " + file + ":" + line + ", got: " + lines.get(0));
    }

    @Test
    void dslSyntaxError() throws IOException {
        Path f = xl("syntax.xl", """
                cell broken(D) {
                  input  x: vec[D]
                  output h: vec[D]
                  step {
                    h = x * (x +
                  }
                }
                """);
        assertDslError(compile(f), f, 6);
    }

    @Test
    void dslUnknownName() throws IOException {
        Path f = xl("unknown.xl", """
                cell unknown_name(D) {
                  input  x: vec[D]
                  output h: vec[D]
                  step {
                    h = x * y
                  }
                }
                """);
        Cli.Result r = compile(f);
        assertDslError(r, f, 5);
        assertTrue(r.err().contains("y"), "names the unknown identifier: " + r.err());
    }

    @Test
    void dslAssignmentToAnInput() throws IOException {
        Path f = xl("assign.xl", """
                cell assigns_input(D) {
                  input  x: vec[D]
                  output h: vec[D]
                  step {
                    x = x * 2
                    h = x
                  }
                }
                """);
        assertDslError(compile(f), f, 5);
    }

    @Test
    void dslShapeMismatch() throws IOException {
        Path f = xl("shape.xl", """
                cell shapes(DQK, DV) {
                  input  q: vec[DQK], v: vec[DV]
                  output h: vec[DV]
                  step {
                    h = q + v
                  }
                }
                """);
        assertDslError(compile(f), f, 5);
    }

    @Test
    void dslFileMissing() {
        Cli.run("compile", tmp.resolve("nope.xl").toString(), "--target", "java", "--out", tmp.toString())
                .assertUserError("nope.xl");
    }

    @Test
    void everyTargetCompilesAndUnknownOnesAreRejected() throws IOException {
        Path f = xl("ok.xl", """
                kernel twice(N) {
                  input  x: vec[N]
                  output y: vec[N]
                  body { y = x * 2 }
                }
                """);
        Map<String, String> files = Map.of("cuda", "twice_apply.cu", "hip", "twice_apply.hip", "opencl", "twice_apply.cl",
                "metal", "twice_apply.metal");
        for (var e : files.entrySet()) {
            Path out = tmp.resolve(e.getKey());
            Cli.run("compile", f.toString(), "--target", e.getKey(), "--out", out.toString()).assertOk();
            Path dir = out.resolve("xlstm/generated/" + e.getKey());
            assertTrue(Files.isRegularFile(dir.resolve(e.getValue())), e.getKey() + ": " + e.getValue());
            assertTrue(Files.readString(dir.resolve("index.tsv")).contains("twice_apply\t" + e.getValue()), "index of " + e.getKey());
        }
        Cli.run("compile", f.toString(), "--target", "fortran", "--out", tmp.toString())
                .assertUserError("fortran", "java");
    }

    // ------------------------------------------------------------------ safetensors

    private Cli.Result generate(Path model, String ids) {
        return Cli.run("generate", "--model", model.toString(), "--prompt-ids", ids, "-n", "2");
    }

    private Cli.Result generateWithRawWeights(String name, byte[] bytes) throws IOException {
        return generate(TestFiles.checkpointWithRawWeights(tmp.resolve(name), bytes), "1,2");
    }

    @Test
    void truncatedFile() throws IOException {
        Path good = TestFiles.checkpoint(tmp.resolve("good"), TestFiles.tinyWeights());
        byte[] bytes = Files.readAllBytes(good.resolve("model.safetensors"));
        generateWithRawWeights("truncated", Arrays.copyOf(bytes, bytes.length - 100))
                .assertUserError("model.safetensors");
        generateWithRawWeights("tiny", new byte[] {1, 2, 3}).assertUserError("model.safetensors");
    }

    @Test
    void headerLengthPastTheEnd() throws IOException {
        byte[] bytes = TestFiles.safetensors("{}", 0);
        bytes[6] = 0x7f; // a header length of about 2^55 bytes
        generateWithRawWeights("header_len", bytes).assertUserError("model.safetensors", "header");
    }

    @Test
    void headerNotJson() throws IOException {
        generateWithRawWeights("not_json", TestFiles.safetensors("{\"a\": [1, 2", 0))
                .assertUserError("model.safetensors", "JSON");
    }

    @Test
    void offsetsOutsideTheFile() throws IOException {
        String header = "{\"lm_head.weight\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 16]},"
                + " \"backbone.out_norm.weight\": {\"dtype\": \"F32\", \"shape\": [16], \"data_offsets\": [16, 80]}}";
        generateWithRawWeights("outside", TestFiles.safetensors(header, 40))
                .assertUserError("model.safetensors", "backbone.out_norm.weight");
    }

    @Test
    void overlappingRanges() throws IOException {
        String header = "{\"a.weight\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [0, 16]},"
                + " \"b.weight\": {\"dtype\": \"F32\", \"shape\": [4], \"data_offsets\": [8, 24]}}";
        generateWithRawWeights("overlap", TestFiles.safetensors(header, 24))
                .assertUserError("model.safetensors", "a.weight", "b.weight", "overlap");
    }

    @Test
    void unknownDtype() throws IOException {
        String header = "{\"lm_head.weight\": {\"dtype\": \"Q7\", \"shape\": [4], \"data_offsets\": [0, 4]}}";
        generateWithRawWeights("dtype", TestFiles.safetensors(header, 4))
                .assertUserError("model.safetensors", "lm_head.weight", "Q7");
    }

    @Test
    void shapeDoesNotMatchByteCount() throws IOException {
        String header = "{\"lm_head.weight\": {\"dtype\": \"F32\", \"shape\": [3, 4], \"data_offsets\": [0, 40]}}";
        generateWithRawWeights("bytes", TestFiles.safetensors(header, 40))
                .assertUserError("model.safetensors", "lm_head.weight");
    }

    // ------------------------------------------------------------------ weights vs config

    @Test
    void missingWeight() throws IOException {
        Map<String, Tensor> w = new java.util.LinkedHashMap<>(TestFiles.tinyWeights());
        w.remove("backbone.blocks.0.mlstm_layer.k.weight");
        generate(TestFiles.checkpoint(tmp.resolve("missing"), w), "1,2")
                .assertUserError("backbone.blocks.0.mlstm_layer.k.weight");
    }

    @Test
    void extraWeight() throws IOException {
        Map<String, Tensor> w = new java.util.LinkedHashMap<>(TestFiles.tinyWeights());
        w.put("backbone.blocks.0.mlstm_layer.extra.weight", Tensor.zeros(4, 4));
        generate(TestFiles.checkpoint(tmp.resolve("extra"), w), "1,2")
                .assertUserError("backbone.blocks.0.mlstm_layer.extra.weight");
    }

    @Test
    void misShapedWeight() throws IOException {
        Map<String, Tensor> w = new java.util.LinkedHashMap<>(TestFiles.tinyWeights());
        w.put("backbone.blocks.0.mlstm_layer.q.weight", Tensor.zeros(8, 15));
        generate(TestFiles.checkpoint(tmp.resolve("shape"), w), "1,2")
                .assertUserError("backbone.blocks.0.mlstm_layer.q.weight", "[8, 15]", "[8, 16]");
    }

    // ------------------------------------------------------------------ generate options

    @Test
    void tokenIdOutsideTheVocabulary() throws IOException {
        Path model = TestFiles.checkpoint(tmp.resolve("model"), TestFiles.tinyWeights());
        generate(model, "1," + TestFiles.VOCAB).assertUserError("token id " + TestFiles.VOCAB, "vocab");
    }

    @Test
    void badPromptIds() throws IOException {
        Path model = TestFiles.checkpoint(tmp.resolve("model"), TestFiles.tinyWeights());
        generate(model, "1,x,3").assertUserError("--prompt-ids", "'x'");
        generate(model, "1,-4").assertUserError("--prompt-ids", "-4");
        generate(model, "").assertUserError("--prompt-ids");
    }

    @Test
    void missingModelFolderConfigOrWeights() throws IOException {
        generate(tmp.resolve("nowhere"), "1").assertUserError("nowhere");
        Path noConfig = TestFiles.checkpoint(tmp.resolve("no_config"), TestFiles.tinyWeights());
        Files.delete(noConfig.resolve("config.json"));
        generate(noConfig, "1").assertUserError("config.json");
        Path noWeights = TestFiles.checkpoint(tmp.resolve("no_weights"), TestFiles.tinyWeights());
        Files.delete(noWeights.resolve("model.safetensors"));
        generate(noWeights, "1").assertUserError("no_weights");
        Path badConfig = TestFiles.checkpoint(tmp.resolve("bad_config"), TestFiles.tinyWeights());
        Files.writeString(badConfig.resolve("config.json"), "{\"num_heads\": 3, \"hidden_size\": 16");
        generate(badConfig, "1").assertUserError("config.json");
    }

    @Test
    void missingRequiredOption() {
        Cli.run("generate", "--prompt-ids", "1").assertUserError("--model");
    }

    // ------------------------------------------------------------------ verify

    /** A fixture folder of kind mlstm_cell with tiny random tensors. */
    private Path cellFixture(String name) throws IOException {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("case.json"), """
                {"format": 1, "kind": "mlstm_cell", "name": "%s", "config": {"eps": 1e-6},
                 "tolerance": {"rtol": 1e-4, "atol": 1e-5}}
                """.formatted(name));
        var cell = xlstm.cli.bench.Workloads.cell(1, 1, 5, 4, 4, 3);
        cell.sequence();
        xlstm.runtime.io.SafetensorsWriter.write(dir.resolve("io.safetensors"), Map.of(
                "q", cell.q(), "k", cell.k(), "v", cell.v(), "i", cell.i(), "f", cell.f(), "h", cell.h()));
        return dir;
    }

    @Test
    void verifyUnknownKind() throws IOException {
        Path dir = cellFixture("weird");
        Files.writeString(dir.resolve("case.json"), """
                {"format": 1, "kind": "transformer", "tolerance": {"rtol": 0, "atol": 0}}""");
        Cli.run("verify", dir.toString()).assertUserError("case.json", "transformer");
    }

    @Test
    void verifyMissingAndCorruptFiles() throws IOException {
        Path dir = cellFixture("corrupt");
        byte[] io = Files.readAllBytes(dir.resolve("io.safetensors"));
        Files.write(dir.resolve("io.safetensors"), Arrays.copyOf(io, io.length / 2));
        Cli.run("verify", dir.toString()).assertUserError("io.safetensors");
        Files.delete(dir.resolve("io.safetensors"));
        Cli.run("verify", dir.toString()).assertUserError("io.safetensors");
        Cli.run("verify", tmp.resolve("absent").toString()).assertUserError("absent");
        Files.writeString(dir.resolve("case.json"), "{\"kind\": ");
        Cli.run("verify", dir.toString()).assertUserError("case.json");
    }

    @Test
    void verifyMissingTensor() throws IOException {
        Path dir = cellFixture("no_h");
        var cell = xlstm.cli.bench.Workloads.cell(1, 1, 5, 4, 4, 3);
        xlstm.runtime.io.SafetensorsWriter.write(dir.resolve("io.safetensors"), Map.of(
                "q", cell.q(), "k", cell.k(), "v", cell.v(), "i", cell.i(), "f", cell.f()));
        Cli.run("verify", dir.toString()).assertUserError("io.safetensors", "'h'");
    }

    @Test
    void verifyUnknownBackend() throws IOException {
        Path dir = cellFixture("backend");
        Cli.run("verify", dir.toString(), "--backend", "tpu").assertUserError("unknown backend 'tpu'",
                "auto, cuda, hip, metal, opencl, cpu", "available here: cpu");
        Cli.run("verify", dir.toString(), "--backend", "hip").assertUserError("backend hip is not available", "cpu");
        if (!xlstm.runtime.backend.KernelBackends.status("cuda").available()) {
            Cli.run("verify", dir.toString(), "--backend", "cuda").assertUserError("backend cuda is not available: CUDA: ",
                    "cpu");
        }
    }
}
