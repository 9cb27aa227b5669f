package xlstm.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xlstm.backends.DType;
import xlstm.runtime.UserError;
import xlstm.runtime.api.GenerateOptions;
import xlstm.runtime.api.LoadOptions;
import xlstm.runtime.api.TinyCheckpoints;
import xlstm.runtime.api.XlstmModel;
import xlstm.runtime.config.HfXlstmConfig;
import xlstm.runtime.io.SafetensorsFile;
import xlstm.runtime.io.SafetensorsWriter;
import xlstm.runtime.io.ShardedWeights;
import xlstm.runtime.io.WeightStore;
import xlstm.runtime.tensor.Tensor;

/** Sharded checkpoints made on the fly: layout, loading with conversion, `convert`, and broken shards. */
class CheckpointTest {
    @TempDir Path tmp;

    private static final long SMALL_SHARDS = 2_000_000; // the tiny model's 13 MB: two 6.4 MB matrices + the rest

    /** The shard files of a sharded checkpoint, sorted. */
    private static List<String> shards(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.matches("model-\\d{5}-of-\\d{5}\\.safetensors"))
                    .sorted().toList();
        }
    }

    @Test
    void layoutOf7bHasTheReferenceParameterCount() throws IOException {
        HfXlstmConfig sevenB = HfXlstmConfig.fromJson(new ObjectMapper().readTree("{}")); // transformers' defaults = 7B
        assertEquals(6_865_424_896L, RandomCheckpoint.parameterCount(sevenB.model(), false));
    }

    @Test
    void shardedLayoutAsTransformersWritesIt() throws IOException {
        Path dir = TinyCheckpoints.write(tmp.resolve("sharded"), false, SMALL_SHARDS, Map.of());
        List<String> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertTrue(files.contains("model.safetensors.index.json"), files.toString());
        List<String> shards = shards(dir);
        assertTrue(shards.size() >= 3 && shards.get(0).equals("model-00001-of-0000" + shards.size() + ".safetensors"),
                files.toString());
        assertTrue(files.contains("tokenizer.json") && files.contains("config.json"), files.toString());
        assertFalse(files.stream().anyMatch(f -> f.startsWith(".")), "no temporary files left: " + files);
        try (WeightStore w = WeightStore.open(dir)) {
            assertTrue(w instanceof ShardedWeights);
            assertEquals(shards.size(), ((ShardedWeights) w).shards().size());
            assertArrayEquals(new long[] {50304, 32}, w.shapeOf("backbone.embeddings.weight"));
        }
        // the same seed gives the same values whatever the shard size
        Path one = TinyCheckpoints.write(tmp.resolve("single"), false, 1L << 40, Map.of());
        assertTrue(Files.isRegularFile(one.resolve("model.safetensors")));
        try (WeightStore a = WeightStore.open(dir); WeightStore b = WeightStore.open(one)) {
            for (String n : a.names()) assertArrayEquals(a.get(n).toFloatArray(), b.get(n).toFloatArray(), 0f, n);
        }
    }

    @Test
    void loadWithBf16ConversionAndConvertCommandAgree() {
        Path src = TinyCheckpoints.write(tmp.resolve("fp32"), false, SMALL_SHARDS, Map.of());
        List<long[]> progress = new ArrayList<>();
        Path dst = tmp.resolve("bf16");
        CheckpointConverter.convert(src, dst, DType.BF16, SMALL_SHARDS / 2, false,
                (phase, done, total) -> progress.add(new long[] {done, total}));
        assertEquals(0, progress.get(0)[0]);
        long[] last = progress.get(progress.size() - 1);
        assertEquals(last[1], last[0]);
        long fp32Bytes = 0;
        try (WeightStore a = WeightStore.open(src)) {
            for (String n : a.names()) fp32Bytes += a.get(n).data().byteSize();
        }
        assertEquals(fp32Bytes / 2, last[1], "bf16 bytes written");
        try (WeightStore a = WeightStore.open(src); WeightStore b = WeightStore.open(dst)) {
            assertEquals(a.names(), b.names());
            for (String n : a.names()) {
                assertEquals(DType.BF16, b.dtypeOf(n));
                assertArrayEquals(a.get(n).to(DType.BF16).toFloatArray(), b.get(n).toFloatArray(), 0f, n);
            }
        }
        assertEquals("bfloat16", readDtype(dst));
        assertTrue(Files.isRegularFile(dst.resolve("tokenizer.json")));
        // loading fp32 with --dtype bf16 computes what the converted checkpoint computes
        List<String> phases = new ArrayList<>();
        try (XlstmModel onLoad = XlstmModel.load(src, LoadOptions.defaults().withDtype(DType.BF16)
                .withProgress((p, d, t) -> phases.add(p)));
             XlstmModel converted = XlstmModel.load(dst)) {
            assertTrue(phases.contains("loading (to bf16)"), phases.toString());
            long[] a = onLoad.newSession().complete("Hello there", GenerateOptions.greedy(8), null).tokens();
            long[] b = converted.newSession().complete("Hello there", GenerateOptions.greedy(8), null).tokens();
            assertArrayEquals(a, b);
        }
        // the target exists now: no overwrite without force, and nothing half-written appears
        UserError exists = assertThrows(UserError.class,
                () -> CheckpointConverter.convert(src, dst, DType.BF16, SMALL_SHARDS, false, null));
        assertTrue(exists.getMessage().contains("already exists"), exists.getMessage());
        CheckpointConverter.convert(src, dst, DType.F32, 1L << 40, true, null);
        assertTrue(Files.isRegularFile(dst.resolve("model.safetensors")));
        assertFalse(Files.exists(dst.resolve("model.safetensors.index.json")));
    }

    private static String readDtype(Path dir) {
        try {
            return new ObjectMapper().readTree(dir.resolve("config.json").toFile()).path("dtype").asText();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void indexNamingAMissingShard() throws IOException {
        Path dir = TinyCheckpoints.write(tmp.resolve("missing"), false, SMALL_SHARDS, Map.of());
        String second = shards(dir).get(1);
        Files.delete(dir.resolve(second));
        UserError e = assertThrows(UserError.class, () -> XlstmModel.load(dir));
        assertTrue(e.getMessage().contains(second) && e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void shardDisagreeingWithTheIndex() throws IOException {
        Path dir = TinyCheckpoints.write(tmp.resolve("disagree"), false, SMALL_SHARDS, Map.of());
        // a shard that lacks a tensor the index puts there
        List<String> all = shards(dir);
        String last = all.get(all.size() - 1);
        Path shard = dir.resolve(last);
        Map<String, Tensor> kept = new LinkedHashMap<>();
        String dropped;
        try (SafetensorsFile f = SafetensorsFile.open(shard)) {
            List<String> names = new ArrayList<>(f.names());
            dropped = names.get(0);
            for (String n : names.subList(1, names.size())) kept.put(n, f.tensor(n).copy());
        }
        SafetensorsWriter.write(shard, kept);
        UserError e = assertThrows(UserError.class, () -> XlstmModel.load(dir));
        assertTrue(e.getMessage().contains(dropped) && e.getMessage().contains(last), e.getMessage());
        // a shard holding a tensor the index does not list there
        kept.put(dropped, Tensor.zeros(1));
        kept.put("backbone.blocks.0.norm_ffn.weight", Tensor.zeros(32));
        SafetensorsWriter.write(shard, kept);
        ObjectNode index = (ObjectNode) new ObjectMapper().readTree(dir.resolve("model.safetensors.index.json").toFile());
        String mappedTo = index.path("weight_map").path("backbone.blocks.0.norm_ffn.weight").asText();
        UserError e2 = assertThrows(UserError.class, () -> XlstmModel.load(dir));
        assertTrue(e2.getMessage().contains("holds tensor 'backbone.blocks.0.norm_ffn.weight'")
                && e2.getMessage().contains(mappedTo), e2.getMessage());
    }

    @Test
    void tokenizerLargerThanTheEmbedding() throws IOException {
        Path dir = tmp.resolve("small_vocab");
        String cfg = TinyCheckpoints.config(false).replace("\"vocab_size\": 50304", "\"vocab_size\": 1000");
        RandomCheckpoint.write(dir, cfg, DType.F32, 1, 1L << 40, Map.of(),
                List.of(xlstm.runtime.tokenizer.Gpt2Fixture.tokenizerJson()), false, null);
        UserError e = assertThrows(UserError.class, () -> XlstmModel.load(dir));
        assertTrue(e.getMessage().contains("50257 tokens") && e.getMessage().contains("1000 rows"), e.getMessage());
    }

    @Test
    void missingTokenizerMeansIdsOnly() throws IOException {
        Path dir = TinyCheckpoints.write(tmp.resolve("no_tok"));
        Files.delete(dir.resolve("tokenizer.json"));
        try (XlstmModel m = XlstmModel.load(dir)) {
            assertEquals(null, m.tokenizer());
            assertEquals(3, m.newSession().complete(new long[] {1, 2}, new GenerateOptions(3, null, List.of(), false),
                    null).tokens().length, "ids work without a tokenizer");
            UserError e = assertThrows(UserError.class, () -> m.newSession().feed("text"));
            assertTrue(e.getMessage().contains("no tokenizer.json"), e.getMessage());
        }
    }
}
