package xlstm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import xlstm.cli.bench.Workloads;
import xlstm.runtime.config.HfXlstmConfig;
import xlstm.runtime.io.SafetensorsWriter;
import xlstm.runtime.io.WeightStore;
import xlstm.runtime.tensor.Tensor;

/** Builds the good and broken inputs of the CLI tests in temporary folders. */
final class TestFiles {
    static final int VOCAB = 32;

    /** config.json of a tiny xLSTM Large checkpoint (E=16, 1 block, 2 heads, vocab 32). */
    static final String CONFIG_JSON = """
            {"model_type": "xlstm", "architectures": ["xLSTMForCausalLM"], "vocab_size": %d, "hidden_size": 16,
             "num_hidden_layers": 1, "num_heads": 2, "chunk_size": 4, "mode": "inference", "dtype": "float32"}
            """.formatted(VOCAB);

    private TestFiles() {}

    /** The tiny model's weights under HF names, random. */
    static Map<String, Tensor> tinyWeights() {
        HfXlstmConfig cfg = HfXlstmConfig.fromJson(json(CONFIG_JSON));
        WeightStore w = Workloads.randomLargeWeights(cfg.model(), 1);
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String n : w.names()) {
            out.put(n.equals("embedding.weight") ? "backbone.embeddings.weight" : n, w.get(n));
        }
        return out;
    }

    /** A checkpoint folder {@code dir} with config.json and model.safetensors holding {@code weights}. */
    static Path checkpoint(Path dir, Map<String, Tensor> weights) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), CONFIG_JSON);
        SafetensorsWriter.write(dir.resolve("model.safetensors"), weights);
        return dir;
    }

    /** A checkpoint folder whose model.safetensors is exactly {@code bytes}. */
    static Path checkpointWithRawWeights(Path dir, byte[] bytes) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), CONFIG_JSON);
        Files.write(dir.resolve("model.safetensors"), bytes);
        return dir;
    }

    /** Safetensors bytes with this header (padded to 8 bytes) followed by {@code dataBytes} zero bytes. */
    static byte[] safetensors(String headerJson, int dataBytes) {
        byte[] h = headerJson.getBytes(StandardCharsets.UTF_8);
        int padded = (h.length + 7) / 8 * 8;
        ByteBuffer b = ByteBuffer.allocate(8 + padded + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(padded).put(h);
        while (b.position() < 8 + padded) b.put((byte) ' ');
        return b.array();
    }

    static com.fasterxml.jackson.databind.JsonNode json(String text) {
        try {
            return new ObjectMapper().readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
