package xlstm.runtime.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import xlstm.backends.DType;
import xlstm.runtime.tensor.Tensor;

/**
 * One golden fixture folder (see the fixtures' README): {@code case.json}, {@code weights.safetensors},
 * {@code io.safetensors}, and for HF cases {@code hf/}. The fixtures live in the golden-tests module's test
 * resources; {@code -Dxlstm.golden.dir=DIR} (or the environment variable {@code XLSTM_GOLDEN_DIR}) points
 * elsewhere.
 */
public final class GoldenFixture {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final Path dir;
    private final JsonNode caseJson;
    private Map<String, Tensor> io;

    private GoldenFixture(String name, Path dir, JsonNode caseJson) {
        this.name = name;
        this.dir = dir;
        this.caseJson = caseJson;
    }

    /** The folder holding all fixture folders. */
    public static Path root() {
        List<Path> tried = new ArrayList<>();
        String prop = System.getProperty("xlstm.golden.dir");
        String env = System.getenv("XLSTM_GOLDEN_DIR");
        List<Path> candidates = new ArrayList<>();
        if (prop != null && !prop.isBlank()) candidates.add(Path.of(prop));
        if (env != null && !env.isBlank()) candidates.add(Path.of(env));
        candidates.add(Path.of("..", "golden-tests", "src", "test", "resources", "golden"));
        candidates.add(Path.of("golden-tests", "src", "test", "resources", "golden"));
        for (Path p : candidates) {
            tried.add(p.toAbsolutePath());
            if (Files.isDirectory(p)) return p;
        }
        throw new IllegalStateException("golden fixtures not found; tried " + tried
                + " (set -Dxlstm.golden.dir=DIR)");
    }

    public static GoldenFixture load(String name) {
        Path dir = root().resolve(name);
        try {
            return new GoldenFixture(name, dir, JSON.readTree(dir.resolve("case.json").toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + dir.resolve("case.json"), e);
        }
    }

    public String name() { return name; }

    public Path dir() { return dir; }

    public JsonNode caseJson() { return caseJson; }

    public JsonNode config() { return caseJson.get("config"); }

    public double atol() { return caseJson.get("tolerance").get("atol").asDouble(); }

    public double rtol() { return caseJson.get("tolerance").get("rtol").asDouble(); }

    /** An input or expected output of {@code io.safetensors}. */
    public Tensor io(String tensor) {
        if (io == null) io = readSafetensors(dir.resolve("io.safetensors"));
        Tensor t = io.get(tensor);
        if (t == null) throw new IllegalArgumentException(name + "/io.safetensors has no tensor " + tensor);
        return t;
    }

    /** Rows of an int64 (B,S) tensor. */
    public long[][] ioRows(String tensor) {
        Tensor t = io(tensor);
        int b = Math.toIntExact(t.dim(0)), s = Math.toIntExact(t.dim(1));
        long[] flat = t.toLongArray();
        long[][] out = new long[b][s];
        for (int r = 0; r < b; r++) System.arraycopy(flat, r * s, out[r], 0, s);
        return out;
    }

    /**
     * The fixtures' rule {@code max|out - ref| <= atol + rtol * max|ref|} over the whole tensor; returns the
     * maximal error.
     */
    public double assertClose(String what, Tensor out, Tensor ref) {
        assertArrayEquals(ref.shape(), out.shape(), name + " " + what + ": shape");
        float[] o = out.toFloatArray(), r = ref.toFloatArray();
        double err = 0, maxRef = 0;
        for (int i = 0; i < r.length; i++) {
            double d = Math.abs((double) o[i] - r[i]);
            if (!(d <= err)) err = Double.isNaN(d) ? Double.POSITIVE_INFINITY : d;
            maxRef = Math.max(maxRef, Math.abs(r[i]));
        }
        double limit = atol() + rtol() * maxRef;
        System.out.printf("[golden] %-20s %-14s max|err| = %.3e (limit %.3e)%n", name, what, err, limit);
        assertTrue(err <= limit, name + " " + what + ": max|out-ref| = " + err + " > " + limit);
        return err;
    }

    public void assertTokens(String what, long[][] out, long[][] ref) {
        assertEquals(ref.length, out.length, name + " " + what + ": rows");
        for (int r = 0; r < ref.length; r++) {
            assertArrayEquals(ref[r], out[r], name + " " + what + ": row " + r);
        }
        System.out.printf("[golden] %-20s %-14s exact match (%d x %d tokens)%n", name, what, ref.length, ref[0].length);
    }

    /** A plain safetensors reader for the fixtures' io files (copies every tensor off the file). */
    public static Map<String, Tensor> readSafetensors(Path file) {
        try (FileChannel ch = FileChannel.open(file); Arena arena = Arena.ofConfined()) {
            MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            long n = seg.get(ValueLayout.JAVA_LONG_UNALIGNED, 0);
            JsonNode header = JSON.readTree(seg.asSlice(8, n).toArray(ValueLayout.JAVA_BYTE));
            Map<String, Tensor> out = new LinkedHashMap<>();
            for (Iterator<String> it = header.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                if (key.equals("__metadata__")) continue;
                JsonNode e = header.get(key);
                DType dt = DType.fromSafetensors(e.get("dtype").asText());
                long[] shape = new long[e.get("shape").size()];
                for (int i = 0; i < shape.length; i++) shape[i] = e.get("shape").get(i).asLong();
                long a = e.get("data_offsets").get(0).asLong(), b = e.get("data_offsets").get(1).asLong();
                out.put(key, Tensor.wrap(seg.asSlice(8 + n + a, b - a), dt, shape).copy());
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file, e);
        }
    }
}
