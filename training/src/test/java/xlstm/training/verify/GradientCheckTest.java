package xlstm.training.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xlstm.runtime.io.SafetensorsWriter;
import xlstm.runtime.io.WeightStore;
import xlstm.runtime.tensor.Tensor;
import xlstm.runtime.verify.CaseResult;
import xlstm.runtime.verify.Check;

/** The gradient verifier passes the fixtures and fails, naming the tensor, when a reference gradient is changed. */
class GradientCheckTest {
    private static Path golden(String name) {
        return Path.of(System.getProperty("xlstm.golden.dir", "../golden-tests/src/test/resources/golden")).resolve(name);
    }

    @Test
    void blockStackPassesWithOneCheckPerReferenceGradient() {
        CaseResult r = GradientCheck.verify(golden("block_stack_mixed"));
        assertNull(r.error());
        assertTrue(r.passed(), String.join("\n", r.lines()));
        assertTrue(r.checks().stream().anyMatch(c -> c.tensor().equals("grad[x]")));
        assertEquals(count(golden("block_stack_mixed")), r.checks().size());
    }

    @Test
    void aChangedReferenceGradientFailsByName(@TempDir Path tmp) throws IOException {
        Path dir = copy(golden("lm_model_small"), tmp.resolve("lm_model_small"));
        Map<String, Tensor> grads = new LinkedHashMap<>();
        try (WeightStore w = WeightStore.open(dir.resolve("grads.safetensors"))) {
            for (String n : w.names()) grads.put(n, w.get(n).copy());
        }
        String name = "xlstm_block_stack.blocks.1.xlstm.slstm_cell._recurrent_kernel_";
        Tensor g = grads.get(name);
        g.setFloat(5, g.getFloat(5) + 0.01f);
        SafetensorsWriter.write(dir.resolve("grads.safetensors"), grads);
        CaseResult r = GradientCheck.verify(dir);
        List<Check> failed = r.checks().stream().filter(c -> !c.passed()).toList();
        assertFalse(r.passed());
        assertEquals(1, failed.size(), String.join("\n", r.lines()));
        assertEquals("grad[" + name + "]", failed.get(0).tensor());
    }

    /**
     * A tied LM: the reference (here the model's own gradients, written under both names as a tied state_dict holds
     * them) is checked under both names, and a change under either name fails.
     */
    @Test
    void aTiedModelIsCheckedUnderBothNames(@TempDir Path tmp) throws IOException {
        Path dir = copy(golden("lm_model_small"), tmp.resolve("tied"));
        String json = Files.readString(dir.resolve("case.json")).replace("\"tie_weights\": false", "\"tie_weights\": true");
        Files.writeString(dir.resolve("case.json"), json);
        Map<String, Tensor> weights = read(dir.resolve("weights.safetensors"));
        weights.remove("lm_head.weight");
        SafetensorsWriter.write(dir.resolve("weights.safetensors"), weights);
        var cfg = xlstm.runtime.config.LmModelConfig.fromJson(
                xlstm.runtime.config.ConfigFiles.read(dir.resolve("case.json")).get("config"));
        var model = xlstm.training.model.TrainableModels.lmModel(cfg, weights);
        Map<String, Tensor> io = read(dir.resolve("io.safetensors"));
        model.loss(new xlstm.training.Batch(FixtureData.rows(io.get("input_ids")), FixtureData.rows(io.get("targets"))), true);
        Map<String, Tensor> grads = new LinkedHashMap<>();
        model.parameters().forEach(p -> grads.put(p.name(), p.grad()));
        grads.put("lm_head.weight", grads.get("token_embedding.weight").copy());
        io.put("loss", Tensor.of(new float[] {(float) model.loss(new xlstm.training.Batch(
                FixtureData.rows(io.get("input_ids")), FixtureData.rows(io.get("targets"))), false)}, 1));
        SafetensorsWriter.write(dir.resolve("io.safetensors"), io);
        SafetensorsWriter.write(dir.resolve("grads.safetensors"), grads);
        CaseResult ok = GradientCheck.verify(dir);
        assertTrue(ok.passed(), String.join("\n", ok.lines()));
        assertTrue(ok.checks().stream().anyMatch(c -> c.tensor().equals("grad[lm_head.weight]")));
        Tensor head = grads.get("lm_head.weight");
        head.setFloat(3, head.getFloat(3) + 0.01f);
        SafetensorsWriter.write(dir.resolve("grads.safetensors"), grads);
        List<Check> failed = GradientCheck.verify(dir).checks().stream().filter(c -> !c.passed()).toList();
        assertEquals(List.of("grad[lm_head.weight]"), failed.stream().map(Check::tensor).toList());
    }

    private static Map<String, Tensor> read(Path file) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (WeightStore w = WeightStore.open(file)) {
            for (String n : w.names()) out.put(n, w.get(n).copy());
        }
        return out;
    }

    private static long count(Path dir) {
        try (WeightStore w = WeightStore.open(dir.resolve("grads.safetensors"))) {
            return w.names().size();
        }
    }

    private static Path copy(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) Files.copy(f, to.resolve(f.getFileName()));
        }
        return to;
    }
}
