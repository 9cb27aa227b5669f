package xlstm.runtime.verify;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Function;
import xlstm.backends.DType;
import xlstm.runtime.UserError;
import xlstm.runtime.config.ConfigFiles;
import xlstm.runtime.config.ConfigNode;
import xlstm.runtime.io.WeightStore;
import xlstm.runtime.tensor.Tensor;

/**
 * One fixture folder as golden/README.md describes it: {@code case.json}, {@code io.safetensors}, and the
 * weights ({@code weights.safetensors} or, for HF cases, {@code hf/}). Every problem with the folder is a
 * {@link UserError} naming the file (and tensor) at fault.
 */
final class Fixture implements AutoCloseable {
    static final String CASE_JSON = "case.json";
    static final String IO = "io.safetensors";
    static final String WEIGHTS = "weights.safetensors";

    private final Path dir;
    private final JsonNode json;
    private final String name;
    private final String kind;
    private final Tolerance tolerance;
    private WeightStore io;

    private Fixture(Path dir, JsonNode json) {
        this.dir = dir;
        this.json = json;
        Path caseFile = dir.resolve(CASE_JSON);
        if (!json.isObject()) throw new UserError(caseFile + ": expected a JSON object");
        JsonNode k = json.get("kind");
        if (k == null || !k.isTextual()) throw new UserError(caseFile + ": no \"kind\"");
        this.kind = k.textValue();
        JsonNode n = json.get("name");
        this.name = n != null && n.isTextual() && !n.textValue().isBlank() ? n.textValue()
                : String.valueOf(dir.toAbsolutePath().normalize().getFileName());
        JsonNode format = json.get("format");
        if (format != null && !(format.canConvertToInt() && format.intValue() == 1)) {
            throw new UserError(caseFile + ": fixture format " + format + " is not supported (this build reads format 1)");
        }
        this.tolerance = tolerance(json.get("tolerance"), caseFile);
    }

    static Fixture open(Path dir) {
        Path caseFile = dir.resolve(CASE_JSON);
        if (!Files.isDirectory(dir)) throw new UserError(dir + ": not a directory");
        if (!Files.isRegularFile(caseFile)) throw new UserError(caseFile + ": missing (not a fixture folder?)");
        return new Fixture(dir, ConfigFiles.read(caseFile));
    }

    private static Tolerance tolerance(JsonNode t, Path caseFile) {
        if (t == null || !t.isObject()) throw new UserError(caseFile + ": no \"tolerance\" {\"rtol\", \"atol\"}");
        double rtol = number(t, "rtol", caseFile), atol = number(t, "atol", caseFile);
        return new Tolerance(rtol, atol);
    }

    private static double number(JsonNode t, String key, Path caseFile) {
        JsonNode v = t.get(key);
        if (v == null || !v.isNumber() || !(v.doubleValue() >= 0) || Double.isInfinite(v.doubleValue())) {
            throw new UserError(caseFile + ": tolerance." + key + " must be a number >= 0, got " + v);
        }
        return v.doubleValue();
    }

    Path dir() { return dir; }

    String name() { return name; }

    String kind() { return kind; }

    Tolerance tolerance() { return tolerance; }

    Path file(String rel) { return dir.resolve(rel); }

    /** The {@code config} dictionary of case.json (empty when absent). */
    ConfigNode config() {
        return ConfigNode.of(json.get("config"), "");
    }

    /** Parses the config with a runtime parser; its errors get the case file in front. */
    <T> T parseConfig(Function<JsonNode, T> parser) {
        JsonNode c = json.get("config");
        if (c == null || !c.isObject()) throw new UserError(file(CASE_JSON) + ": no \"config\" dictionary");
        try {
            return parser.apply(c);
        } catch (UserError e) {
            throw new UserError(file(CASE_JSON) + ": " + e.getMessage(), e);
        }
    }

    /** A file of the folder that must exist. */
    Path required(String rel) {
        Path p = file(rel);
        if (!Files.exists(p)) throw new UserError(p + ": missing (case " + name + " of kind " + kind + " needs it)");
        return p;
    }

    /** {@code weights.safetensors}, opened. */
    WeightStore weights() {
        return WeightStore.open(required(WEIGHTS));
    }

    private WeightStore io() {
        if (io == null) io = WeightStore.open(required(IO));
        return io;
    }

    boolean has(String tensor) {
        return io().contains(tensor);
    }

    /** An io tensor as stored. */
    Tensor tensor(String tensor) {
        if (!has(tensor)) {
            throw new UserError(file(IO) + ": tensor '" + tensor + "' is missing (kind " + kind + " needs it)");
        }
        return io().get(tensor);
    }

    /** An io tensor with its shape checked ({@code -1} matches any size). */
    Tensor tensor(String tensor, long... shape) {
        Tensor t = tensor(tensor);
        boolean ok = t.rank() == shape.length;
        for (int d = 0; ok && d < shape.length; d++) ok = shape[d] == -1 || shape[d] == t.dim(d);
        if (!ok) {
            throw new UserError(file(IO) + ": tensor '" + tensor + "' has shape " + Arrays.toString(t.shape())
                    + ", expected " + Arrays.toString(shape).replace("-1", "*"));
        }
        return t;
    }

    /** A float32 copy of an io tensor (fresh, aligned memory that a kernel may own). */
    Tensor f32(String tensor, long... shape) {
        Tensor t = tensor(tensor, shape);
        if (!isFloat(t.dtype())) throw new UserError(file(IO) + ": tensor '" + tensor + "' is " + t.dtype() + ", expected floats");
        return t.dtype() == DType.F32 ? t.copy() : t.toF32();
    }

    /** An integer io tensor (token ids) as int64. */
    Tensor ids(String tensor, long... shape) {
        Tensor t = tensor(tensor, shape);
        if (t.dtype() != DType.I64 && t.dtype() != DType.I32) {
            throw new UserError(file(IO) + ": tensor '" + tensor + "' is " + t.dtype() + ", expected int64 token ids");
        }
        return t.dtype() == DType.I64 ? t.copy() : Tensor.ofLongs(t.toLongArray(), t.shape());
    }

    /** Rows of a (B, S) integer tensor. */
    long[][] rows(String tensor) {
        Tensor t = ids(tensor, -1, -1);
        int b = Math.toIntExact(t.dim(0)), s = Math.toIntExact(t.dim(1));
        long[] flat = t.toLongArray();
        long[][] out = new long[b][s];
        for (int r = 0; r < b; r++) System.arraycopy(flat, r * s, out[r], 0, s);
        return out;
    }

    private static boolean isFloat(DType d) {
        return d == DType.F32 || d == DType.BF16 || d == DType.F16 || d == DType.F64;
    }

    @Override
    public void close() {
        if (io != null) io.close();
    }
}
