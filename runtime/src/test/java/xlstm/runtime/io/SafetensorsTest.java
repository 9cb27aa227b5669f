package xlstm.runtime.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xlstm.backends.DType;
import xlstm.runtime.UserError;
import xlstm.runtime.tensor.Tensor;

class SafetensorsTest {
    @TempDir
    Path dir;

    // ------------------------------------------------------------------ helpers

    /** A file of: 8-byte LE length of {@code header}, the header bytes, then {@code dataBytes} bytes of data. */
    Path raw(String name, String header, int dataBytes) throws IOException {
        return raw(name, header.getBytes(StandardCharsets.UTF_8), dataBytes);
    }

    Path raw(String name, byte[] header, int dataBytes) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header);
        Path p = dir.resolve(name);
        Files.write(p, b.array());
        return p;
    }

    static String h(String json) { return json.replace('\'', '"'); }

    String error(Path p) {
        String m = assertThrows(UserError.class, () -> SafetensorsFile.open(p)).getMessage();
        assertTrue(m.startsWith(p.toString() + ": "), m);
        assertFalse(m.contains("\n"), m);
        return m;
    }

    static Tensor arange(DType dt, long... shape) {
        Tensor t = Tensor.zeros(dt, shape);
        for (long i = 0; i < t.numel(); i++) t.setFloat(i, i * 0.5f - 3);
        return t;
    }

    // ------------------------------------------------------------------ round trip

    @Test
    void roundTripAllDtypesZeroCopy() throws IOException {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("a.weight", arange(DType.F32, 3, 5));
        m.put("b.bf16", arange(DType.BF16, 7));
        m.put("c.ids", Tensor.ofLongs(new long[] {1, -2, 3}, 3));
        m.put("d.i32", arange(DType.I32, 2, 2));
        m.put("e.f16", arange(DType.F16, 3));
        m.put("f.f64", arange(DType.F64, 1, 1, 3));
        m.put("g.scalar", Tensor.of(new float[] {42f}));
        m.put("h.empty", Tensor.zeros(0, 4));
        Path p = dir.resolve("sub/model.safetensors");
        SafetensorsWriter.write(p, m, Map.of("format", "pt"));
        try (SafetensorsFile f = SafetensorsFile.open(p)) {
            assertEquals(m.keySet(), f.names());
            assertEquals(Map.of("format", "pt"), f.metadata());
            assertEquals(0, f.headerLength() % 8, "header padded to 8 bytes");
            for (var e : m.entrySet()) {
                Tensor t = f.tensor(e.getKey());
                assertEquals(e.getValue().dtype(), t.dtype());
                assertArrayEquals(e.getValue().shape(), t.shape());
                assertEquals(-1, e.getValue().data().mismatch(t.data()), e.getKey());
                assertTrue(t.data().isReadOnly(), "a view of the read-only mapping");
                assertTrue(t.data().isNative());
            }
            assertEquals(0, f.tensor("g.scalar").rank());
            assertEquals(42f, f.tensor("g.scalar").getFloat(0));
            assertEquals(-2L, f.tensor("c.ids").getLong(1));
        }
        // overwrite atomically: no temporary files left
        SafetensorsWriter.write(p, Map.of("only", Tensor.of(new float[] {1, 2}, 2)));
        assertEquals(Set.of("only"), SafetensorsFile.open(p).names());
        try (var files = Files.list(p.getParent())) {
            assertEquals(List.of(p.getFileName().toString()), files.map(q -> q.getFileName().toString()).toList());
        }
        assertThrows(UserError.class, () -> SafetensorsWriter.write(dir.resolve("x.safetensors"),
                Map.of("__metadata__", Tensor.zeros(1))));
    }

    @Test
    void explicitArena() {
        Path p = dir.resolve("a.safetensors");
        SafetensorsWriter.write(p, Map.of("x", arange(DType.F32, 4)));
        Arena arena = Arena.ofShared();
        Tensor t;
        try (SafetensorsFile f = SafetensorsFile.open(p, arena, true)) {
            t = f.tensor("x");
            assertEquals(-2.5f, t.getFloat(1));
        }
        assertThrows(IllegalStateException.class, () -> t.getFloat(0));
    }

    // ------------------------------------------------------------------ broken files

    @Test
    void tooShortAndBadLength() throws IOException {
        Path empty = dir.resolve("empty.safetensors");
        Files.write(empty, new byte[0]);
        assertTrue(error(empty).contains("shorter than the 8-byte header length"));
        Path five = dir.resolve("five.safetensors");
        Files.write(five, new byte[5]);
        assertTrue(error(five).contains("5 bytes"));
        Path beyond = dir.resolve("beyond.safetensors");
        ByteBuffer b = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN).putLong(100);
        Files.write(beyond, b.array());
        String m = error(beyond);
        assertTrue(m.contains("header length 100 runs past the end of the file (20 bytes)"), m);
        Path huge = dir.resolve("huge.safetensors");
        Files.write(huge, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1L).array());
        assertTrue(error(huge).contains("runs past the end"));
        assertTrue(assertThrows(UserError.class, () -> SafetensorsFile.open(dir.resolve("none.safetensors")))
                .getMessage().contains("no such file"));
    }

    @Test
    void badHeaders() throws IOException {
        assertTrue(error(raw("notjson.safetensors", "{\"a\": ", 0)).contains("header is not valid JSON"));
        assertTrue(error(raw("array.safetensors", "[1, 2]", 0)).contains("header is not a JSON object"));
        assertTrue(error(raw("utf8.safetensors", new byte[] {'{', '"', (byte) 0xff, '"', ':', '1', '}'}, 0))
                .contains("not valid UTF-8"));
        assertTrue(error(raw("dup.safetensors", h("{'a': {'dtype': 'F32', 'shape': [1], 'data_offsets': [0, 4]},"
                + " 'a': {'dtype': 'F32', 'shape': [1], 'data_offsets': [0, 4]}}"), 4)).contains("'a'"));
        assertTrue(error(raw("meta.safetensors", h("{'__metadata__': [1]}"), 0)).contains("__metadata__"));
        String m = error(raw("metaval.safetensors", h("{'__metadata__': {'k': 3}}"), 0));
        assertTrue(m.contains("__metadata__") && m.contains("'k'"), m);
        m = error(raw("entry.safetensors", h("{'w': 3}"), 0));
        assertTrue(m.contains("tensor 'w'") && m.contains("not a JSON object"), m);
    }

    @Test
    void badEntries() throws IOException {
        String m = error(raw("dtype.safetensors", h("{'w': {'dtype': 'Q9', 'shape': [1], 'data_offsets': [0, 4]}}"), 4));
        assertTrue(m.contains("tensor 'w'") && m.contains("unknown dtype 'Q9'"), m);
        m = error(raw("u8.safetensors", h("{'w': {'dtype': 'U8', 'shape': [4], 'data_offsets': [0, 4]}}"), 4));
        assertTrue(m.contains("tensor 'w'") && m.contains("U8 is not supported"), m);
        m = error(raw("nodtype.safetensors", h("{'w': {'shape': [1], 'data_offsets': [0, 4]}}"), 4));
        assertTrue(m.contains("tensor 'w'") && m.contains("dtype"), m);
        m = error(raw("count.safetensors", h("{'w': {'dtype': 'F32', 'shape': [2, 3], 'data_offsets': [0, 20]}}"), 24));
        assertTrue(m.contains("tensor 'w'") && m.contains("needs 24 bytes") && m.contains("hold 20"), m);
        m = error(raw("outside.safetensors", h("{'w': {'dtype': 'F32', 'shape': [2], 'data_offsets': [4, 12]}}"), 8));
        assertTrue(m.contains("tensor 'w'") && m.contains("outside the data section (8 bytes)"), m);
        m = error(raw("overlap.safetensors", h("{'a': {'dtype': 'F32', 'shape': [2], 'data_offsets': [0, 8]},"
                + " 'b': {'dtype': 'F32', 'shape': [2], 'data_offsets': [4, 12]}}"), 12));
        assertTrue(m.contains("'a'") && m.contains("'b'") && m.contains("overlap"), m);
        m = error(raw("negshape.safetensors", h("{'w': {'dtype': 'F32', 'shape': [-1], 'data_offsets': [0, 4]}}"), 4));
        assertTrue(m.contains("tensor 'w'") && m.contains("-1") && m.contains("non-negative integer"), m);
        m = error(raw("fracshape.safetensors", h("{'w': {'dtype': 'F32', 'shape': [1.5], 'data_offsets': [0, 4]}}"), 4));
        assertTrue(m.contains("tensor 'w'") && m.contains("1.5"), m);
        m = error(raw("strshape.safetensors", h("{'w': {'dtype': 'F32', 'shape': '4', 'data_offsets': [0, 16]}}"), 16));
        assertTrue(m.contains("tensor 'w'") && m.contains("shape"), m);
        m = error(raw("negoff.safetensors", h("{'w': {'dtype': 'F32', 'shape': [1], 'data_offsets': [-4, 0]}}"), 4));
        assertTrue(m.contains("tensor 'w'") && m.contains("data_offsets"), m);
        m = error(raw("fracoff.safetensors", h("{'w': {'dtype': 'F32', 'shape': [1], 'data_offsets': [0, 4.0]}}"), 4));
        assertTrue(m.contains("tensor 'w'") && m.contains("data_offsets"), m);
        m = error(raw("threeoff.safetensors", h("{'w': {'dtype': 'F32', 'shape': [1], 'data_offsets': [0, 4, 8]}}"), 8));
        assertTrue(m.contains("tensor 'w'") && m.contains("[begin, end]"), m);
        m = error(raw("backwards.safetensors", h("{'w': {'dtype': 'F32', 'shape': [0], 'data_offsets': [4, 0]}}"), 4));
        assertTrue(m.contains("tensor 'w'") && m.contains("end before"), m);
        m = error(raw("bigshape.safetensors",
                h("{'w': {'dtype': 'F32', 'shape': [4611686018427387904, 4], 'data_offsets': [0, 4]}}"), 4));
        assertTrue(m.contains("tensor 'w'"), m);
        // touching ranges, zero-size tensors and holes are fine
        SafetensorsFile ok = SafetensorsFile.open(raw("ok.safetensors", h("{'a': {'dtype': 'F32', 'shape': [1],"
                + " 'data_offsets': [0, 4]}, 'z': {'dtype': 'F32', 'shape': [0], 'data_offsets': [4, 4]},"
                + " 'b': {'dtype': 'BF16', 'shape': [2], 'data_offsets': [8, 12]}}"), 12));
        assertEquals(3, ok.names().size());
    }

    // ------------------------------------------------------------------ weight stores

    @Test
    void requireShapesUsageAndConversion() {
        Path p = dir.resolve("w.safetensors");
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("layer.weight", arange(DType.F32, 2, 3));
        m.put("layer.bias", arange(DType.BF16, 2));
        m.put("extra.weight", arange(DType.F32, 1));
        m.put("ids", Tensor.ofLongs(new long[] {5}, 1));
        SafetensorsWriter.write(p, m);
        WeightStore w = WeightStore.open(p);
        UserError e = assertThrows(UserError.class, () -> w.require("layer.weight", 3, 2));
        assertEquals(p + ": tensor 'layer.weight' has shape [2, 3], expected [3, 2]", e.getMessage());
        e = assertThrows(UserError.class, () -> w.require("layer.weigth", 2, 3));
        assertTrue(e.getMessage().startsWith(p + ": tensor 'layer.weigth' is missing"), e.getMessage());
        e = assertThrows(UserError.class, () -> w.require("other.layer.bias"));
        assertTrue(e.getMessage().contains("similar names: layer.bias"), e.getMessage());
        assertArrayEquals(new long[] {2, 3}, w.require("layer.weight", -1, 3).shape());
        assertNull(w.optional("nope", 1));
        assertEquals(Set.of("layer.weight"), w.used());
        assertEquals(List.of("nope"), w.missing(List.of("layer.bias", "nope")));
        assertThrows(UserError.class, () -> w.checkPresent(List.of("nope")));

        WeightStore f32 = w.converting(DType.F32);
        Tensor bias = f32.require("layer.bias", 2);
        assertEquals(DType.F32, bias.dtype());
        assertEquals(-3f, bias.getFloat(0));
        assertSame(bias, f32.require("layer.bias", 2), "conversions are cached");
        assertEquals(DType.I64, f32.require("ids").dtype());
        assertEquals(DType.F32, f32.dtypeOf("layer.bias"));
        WeightStore bf = w.converting(DType.BF16);
        assertEquals(DType.BF16, bf.require("layer.weight", 2, 3).dtype());
        assertEquals(-2.5f, bf.require("layer.weight").getFloat(1));

        assertEquals(Set.of("extra.weight"), w.unused());
        e = assertThrows(UserError.class, w::checkAllUsed);
        assertTrue(e.getMessage().contains("1 unexpected tensor") && e.getMessage().contains("extra.weight"),
                e.getMessage());
        w.markUsed("extra.weight");
        w.checkAllUsed();

        WeightStore mem = WeightStore.of(m, "<memory>");
        e = assertThrows(UserError.class, () -> mem.require("layer.bias", 3));
        assertEquals("<memory>: tensor 'layer.bias' has shape [2], expected [3]", e.getMessage());
        assertSame(m.get("layer.weight"), mem.get("layer.weight"));
    }

    @Test
    void shardedCheckpoints() throws IOException {
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (int i = 0; i < 5; i++) m.put("t" + i, arange(DType.F32, 10));
        Path index = SafetensorsWriter.writeSharded(dir, m, 100, Map.of());
        assertEquals(dir.resolve(ShardedWeights.INDEX_NAME), index);
        ShardedWeights s = (ShardedWeights) WeightStore.open(dir);
        assertEquals(m.keySet(), s.names());
        assertEquals(3, s.shards().size());
        assertEquals("200", s.metadata().get("total_size"));
        assertEquals(-2.5f, s.require("t4", 10).getFloat(1));
        UserError e = assertThrows(UserError.class, () -> s.require("t3", 11));
        assertTrue(e.getMessage().startsWith(dir.resolve("model-00002-of-00003.safetensors") + ": tensor 't3'"),
                e.getMessage());

        JsonNode idx = new ObjectMapper().readTree(index.toFile());
        // a shard that does not exist
        Files.writeString(index, idx.toString().replace("model-00003-of-00003", "model-00009-of-00003"));
        e = assertThrows(UserError.class, () -> WeightStore.open(dir));
        assertTrue(e.getMessage().startsWith(index + ": shard 'model-00009-of-00003.safetensors'")
                && e.getMessage().contains("does not exist") && e.getMessage().contains("'t4'"), e.getMessage());
        // a tensor mapped to a shard that lacks it
        Files.writeString(index, idx.toString().replace("\"t0\":\"model-00001", "\"t0\":\"model-00002"));
        e = assertThrows(UserError.class, () -> WeightStore.open(index));
        assertTrue(e.getMessage().contains("tensor 't0' is mapped to shard 'model-00002-of-00003.safetensors'"),
                e.getMessage());
        Files.writeString(index, "{\"weight_map\": 3}");
        assertTrue(assertThrows(UserError.class, () -> WeightStore.open(index)).getMessage().contains("weight_map"));
        Files.writeString(index, "{\"weight_map\": {\"t0\": \"../elsewhere.safetensors\"}}");
        assertTrue(assertThrows(UserError.class, () -> WeightStore.open(index)).getMessage().contains("outside"));
        Files.writeString(index, "{");
        assertTrue(assertThrows(UserError.class, () -> WeightStore.open(index)).getMessage().contains("not valid JSON"));

        // xLSTM's numbered files
        Path num = Files.createDirectory(dir.resolve("numbered"));
        SafetensorsWriter.write(num.resolve("model_0.safetensors"), Map.of("a", arange(DType.F32, 2)));
        SafetensorsWriter.write(num.resolve("model_1.safetensors"), Map.of("b", arange(DType.F32, 3)));
        WeightStore n = WeightStore.open(num);
        assertEquals(Set.of("a", "b"), n.names());
        SafetensorsWriter.write(num.resolve("model_2.safetensors"), Map.of("a", arange(DType.F32, 2)));
        assertTrue(assertThrows(UserError.class, () -> WeightStore.open(num)).getMessage().contains("'a' is in both"));

        Path emptyDir = Files.createDirectory(dir.resolve("empty"));
        assertTrue(assertThrows(UserError.class, () -> WeightStore.open(emptyDir)).getMessage().contains("no "));
        Path single = Files.createDirectory(dir.resolve("single"));
        SafetensorsWriter.write(single.resolve("model.safetensors"), Map.of("x", arange(DType.F32, 1)));
        assertTrue(WeightStore.open(single) instanceof SafetensorsFile);
        assertNotSame(null, WeightStore.open(single.resolve("model.safetensors")));
    }

    // ------------------------------------------------------------------ real fixtures

    static Path golden(String rel) {
        Path p = Path.of("..", "golden-tests", "src", "test", "resources", "golden").resolve(rel);
        Assumptions.assumeTrue(Files.exists(p), "golden fixtures not present: " + p);
        return p;
    }

    @Test
    void readsTheGoldenFixtures() throws IOException {
        Path caseJson = golden("lm_model_small/case.json");
        JsonNode c = new ObjectMapper().readTree(caseJson.toFile());
        try (SafetensorsFile io = SafetensorsFile.open(golden("lm_model_small/io.safetensors"))) {
            assertEquals(c.get("tensors").size(), io.names().size());
            for (var t : c.get("tensors").properties()) {
                long[] shape = new ObjectMapper().convertValue(t.getValue().get("shape"), long[].class);
                Tensor x = io.require(t.getKey(), shape);
                String want = t.getValue().get("dtype").asText().equals("int64") ? "I64" : "F32";
                assertEquals(want, x.dtype().safetensorsName(), t.getKey());
            }
        }
        WeightStore w = WeightStore.open(golden("lm_model_small/weights.safetensors"));
        assertArrayEquals(new long[] {97, 32}, w.require("token_embedding.weight", 97, 32).shape());
        assertArrayEquals(new long[] {128, 32}, w.require("xlstm_block_stack.blocks.0.xlstm.proj_up.weight").shape());
        WeightStore hf = WeightStore.open(golden("hf_xlstm_bf16/hf"));
        Tensor e = hf.require("backbone.embeddings.weight", 131, 128);
        assertEquals(DType.BF16, e.dtype());
        Tensor e32 = hf.converting(DType.F32).require("backbone.embeddings.weight");
        for (int i = 0; i < 100; i++) assertEquals(e.getFloat(i), e32.getFloat(i));
    }
}
