package xlstm.training.verify;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import xlstm.runtime.UserError;
import xlstm.runtime.config.ConfigFiles;
import xlstm.runtime.io.WeightStore;
import xlstm.runtime.tensor.Tensor;
import xlstm.runtime.verify.Tolerance;

/**
 * What a gradient check reads of a fixture folder (golden/README.md, format 1): case.json's name, kind, config and
 * tolerance, and the tensors of {@code weights}, {@code io} and {@code grads.safetensors}, copied out of the files.
 */
final class FixtureData {
    static final String GRADS = "grads.safetensors";

    final Path dir;
    final String name, kind;
    final JsonNode config;
    final Tolerance tolerance;

    private FixtureData(Path dir, JsonNode json) {
        Path caseFile = dir.resolve("case.json");
        this.dir = dir;
        this.kind = text(json, "kind", caseFile);
        this.name = json.hasNonNull("name") ? json.get("name").asText() : String.valueOf(dir.getFileName());
        this.config = json.get("config");
        if (config == null || !config.isObject()) throw new UserError(caseFile + ": no \"config\" dictionary");
        JsonNode t = json.get("tolerance");
        if (t == null || !t.path("rtol").isNumber() || !t.path("atol").isNumber()) {
            throw new UserError(caseFile + ": no \"tolerance\" {\"rtol\", \"atol\"}");
        }
        this.tolerance = new Tolerance(t.get("rtol").doubleValue(), t.get("atol").doubleValue());
    }

    static FixtureData open(Path dir) {
        return new FixtureData(dir, ConfigFiles.read(dir.resolve("case.json")));
    }

    <T> T config(Function<JsonNode, T> parser) {
        try {
            return parser.apply(config);
        } catch (UserError e) {
            throw new UserError(dir.resolve("case.json") + ": " + e.getMessage(), e);
        }
    }

    /** Every tensor of a file of the folder, as float32 (integers as int64) copies. */
    Map<String, Tensor> tensors(String file) {
        Path p = dir.resolve(file);
        if (!Files.isRegularFile(p)) throw new UserError(p + ": missing (case " + name + " of kind " + kind + " needs it)");
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (WeightStore w = WeightStore.open(p)) {
            for (String n : w.names()) out.put(n, w.get(n).copy());
        }
        return out;
    }

    static Tensor require(Map<String, Tensor> tensors, String name, String file) {
        Tensor t = tensors.get(name);
        if (t == null) throw new UserError(file + ": tensor '" + name + "' is missing");
        return t;
    }

    /** Rows of a (B, S) integer tensor. */
    static int[][] rows(Tensor ids) {
        int b = Math.toIntExact(ids.dim(0)), s = Math.toIntExact(ids.dim(1));
        long[] flat = ids.toLongArray();
        int[][] out = new int[b][s];
        for (int r = 0; r < b; r++) for (int t = 0; t < s; t++) out[r][t] = Math.toIntExact(flat[r * s + t]);
        return out;
    }

    private static String text(JsonNode json, String key, Path file) {
        JsonNode v = json.get(key);
        if (v == null || !v.isTextual()) throw new UserError(file + ": no \"" + key + "\"");
        return v.textValue();
    }
}
