package xlstm.runtime.api;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import xlstm.backends.DType;
import xlstm.runtime.checkpoint.RandomCheckpoint;
import xlstm.runtime.tokenizer.Gpt2Fixture;

/** Small random checkpoints with GPT-2's tokenizer, made on the fly. */
public final class TinyCheckpoints {
    private TinyCheckpoints() {}

    /** config.json of a tiny xLSTM Large whose embedding fits GPT-2 (vocab 50304 as xLSTM 7B). */
    public static String config(boolean forceBos) {
        return """
                {"model_type": "xlstm", "vocab_size": 50304, "hidden_size": 32, "num_hidden_layers": 2,
                 "num_heads": 2, "chunk_size": 8, "mode": "inference", "bos_token_id": 50256, "eos_token_id": 50256,
                 "pad_token_id": 50256, "force_bos_token_insert": %s, "torch_dtype": "float32"}
                """.formatted(forceBos);
    }

    /** A checkpoint folder {@code dir}: random fp32 weights (sharded when {@code maxShardBytes} is small), tokenizer. */
    public static Path write(Path dir, boolean forceBos, long maxShardBytes, Map<String, String> extraText) {
        RandomCheckpoint.write(dir, config(forceBos), DType.F32, 7, maxShardBytes, extraText,
                List.of(Gpt2Fixture.tokenizerJson()), false, null);
        return dir;
    }

    public static Path write(Path dir) { return write(dir, false, 1L << 40, Map.of()); }
}
