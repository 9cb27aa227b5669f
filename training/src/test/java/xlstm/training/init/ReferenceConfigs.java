package xlstm.training.init;

import com.fasterxml.jackson.databind.ObjectMapper;
import xlstm.runtime.config.LmModelConfig;

/** Configs of the tests. */
public final class ReferenceConfigs {
    private ReferenceConfigs() {}

    /** SPEC §3.6's verified model: E=128, blocks [mLSTM, sLSTM], context 64, vocabulary 1000, vanilla sLSTM. */
    public static LmModelConfig specSmallModel() {
        return lm("""
                {"vocab_size": 1000, "num_blocks": 2, "embedding_dim": 128, "context_length": 64, "slstm_at": [1],
                 "mlstm_block": {"mlstm": {"conv1d_kernel_size": 4, "qkv_proj_blocksize": 4, "num_heads": 4}},
                 "slstm_block": {"slstm": {"backend": "vanilla", "num_heads": 4, "conv1d_kernel_size": 4}}}
                """);
    }

    public static LmModelConfig lm(String json) {
        try {
            return LmModelConfig.fromJson(new ObjectMapper().readTree(json));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
