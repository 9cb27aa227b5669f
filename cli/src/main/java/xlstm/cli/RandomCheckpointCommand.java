package xlstm.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import xlstm.backends.DType;
import xlstm.runtime.UserError;
import xlstm.runtime.checkpoint.RandomCheckpoint;
import xlstm.runtime.config.ConfigFiles;
import xlstm.runtime.config.HfXlstmConfig;

/**
 * {@code xlstm random-checkpoint}: a checkpoint folder with random weights and the real names and shapes, for
 * tests and benchmarks (e.g. the full-size 7B layout, 27.5 GB in 6 shards).
 */
@Command(name = "random-checkpoint", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write a checkpoint folder of random weights (tests, benchmarks).", "",
                "The weights have the names and shapes of a real checkpoint; the text it generates is noise. They are",
                "generated while they are written, so memory use stays small at any size."},
        footer = {"", "Presets: 7b (xLSTM 7B: E 4096, 32 blocks, 8 heads, vocab 50304; older config.json keys as",
                "NX-AI/xLSTM-7b), 350m (E 1024, 20 blocks, 4 heads, vocab 50304), small (E 256, 4 blocks, 4 heads,",
                "vocab 50304).", "",
                "Example: xlstm random-checkpoint --preset 350m --tokenizer tokenizer.json work-area/random-350m"})
final class RandomCheckpointCommand implements Callable<Integer> {
    @Option(names = "--preset", paramLabel = "NAME", description = "7b, 350m or small.")
    String preset;

    @Option(names = "--config", paramLabel = "FILE", description = "A config.json to use instead of a preset.")
    Path config;

    @Option(names = "--dtype", defaultValue = "f32", paramLabel = "f32|bf16", description = "Weight dtype (default: ${DEFAULT-VALUE}).")
    String dtype;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--max-shard-size", defaultValue = "5GB", paramLabel = "SIZE",
            description = "Largest shard file (default: ${DEFAULT-VALUE}).")
    String maxShardSize;

    @Option(names = "--tokenizer", paramLabel = "FILE", description = "A tokenizer.json to copy into the folder.")
    Path tokenizer;

    @Option(names = "--force", description = "Replace OUT if it exists.")
    boolean force;

    @Option(names = "--progress", negatable = true, description = "Show a progress bar (default: on a terminal).")
    Boolean progress;

    @Parameters(index = "0", paramLabel = "OUT", description = "Folder to write.")
    Path out;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if ((preset == null) == (config == null)) throw new UserError("give one of --preset NAME or --config FILE");
        String json;
        if (config != null) {
            try {
                json = Files.readString(config);
            } catch (NoSuchFileException e) {
                throw new UserError(config + ": no such file");
            }
            ConfigFiles.parse(config, HfXlstmConfig::fromJson);
        } else {
            json = switch (preset.toLowerCase(Locale.ROOT)) {
                case "7b" -> PRESET_7B;
                case "350m" -> preset(1024, 20, 4);
                case "small" -> preset(256, 4, 4);
                default -> throw new UserError("--preset must be 7b, 350m or small, got '" + preset + "'");
            };
        }
        DType d = switch (dtype.toLowerCase(Locale.ROOT)) {
            case "f32", "float32" -> DType.F32;
            case "bf16", "bfloat16" -> DType.BF16;
            default -> throw new UserError("--dtype must be f32 or bf16, got '" + dtype + "'");
        };
        String cfg = json.replace("\"torch_dtype\": \"float32\"",
                "\"torch_dtype\": \"" + (d == DType.BF16 ? "bfloat16" : "float32") + "\"");
        HfXlstmConfig hf = HfXlstmConfig.fromJson(TestJson.parse(cfg));
        List<Path> extras = new ArrayList<>();
        if (tokenizer != null) {
            if (!Files.isRegularFile(tokenizer)) throw new UserError("--tokenizer " + tokenizer + ": no such file");
            if (!tokenizer.getFileName().toString().equals("tokenizer.json")) {
                throw new UserError("--tokenizer " + tokenizer + ": the file must be named tokenizer.json");
            }
            extras.add(tokenizer);
        }
        long t0 = System.nanoTime();
        long params = RandomCheckpoint.parameterCount(hf.model(), hf.tieWordEmbeddings());
        RandomCheckpoint.write(out, cfg, d, seed, Sizes.parse(maxShardSize, "--max-shard-size"),
                java.util.Map.of("generation_config.json", GENERATION_CONFIG), extras, force,
                ProgressBar.of(spec.commandLine().getErr(), progress));
        spec.commandLine().getErr().println(String.format(Locale.ROOT, "wrote %s: %,d parameters (%s) in %.1f s", out,
                params, ProgressBar.bytes(params * d.byteSize()), (System.nanoTime() - t0) / 1e9));
        return 0;
    }

    private static String preset(int e, int blocks, int heads) {
        return """
                {"model_type": "xlstm", "architectures": ["xLSTMForCausalLM"], "vocab_size": 50304,
                 "hidden_size": %d, "embedding_dim": %d, "num_hidden_layers": %d, "num_blocks": %d, "num_heads": %d,
                 "qk_dim_factor": 0.5, "v_dim_factor": 1.0, "ffn_proj_factor": 2.667, "ffn_round_up_to_multiple_of": 64,
                 "chunk_size": 64, "mode": "inference", "return_last_states": true, "use_bias": false,
                 "tie_word_embeddings": false, "bos_token_id": 0, "eos_token_id": 2, "pad_token_id": 1,
                 "force_bos_token_insert": true, "torch_dtype": "float32"}
                """.formatted(e, e, blocks, blocks, heads);
    }

    /** The released NX-AI/xLSTM-7b config.json keys (older names included), with random weights in mind. */
    static final String PRESET_7B = """
            {
              "architectures": ["xLSTMForCausalLM"],
              "add_embedding_dropout": false,
              "add_forward_backend_padding": false,
              "add_out_norm": true,
              "add_post_blocks_norm": true,
              "add_post_norm": false,
              "add_qk_norm": false,
              "bos_token_id": 0,
              "cell_norm_eps": 1e-06,
              "chunk_size": 64,
              "chunkwise_kernel": "chunkwise--triton_xl_chunk",
              "embedding_dim": 4096,
              "eos_token_id": 2,
              "eps": 1e-06,
              "ffn_proj_factor": 2.667,
              "ffn_round_up_to_multiple_of": 64,
              "force_bos_token_insert": true,
              "gate_soft_cap": 15.0,
              "head_dim": 512,
              "igate_bias_init_range": -10.0,
              "inference_state_dtype": "float32",
              "max_inference_chunksize": 16384,
              "mlstm_round_up_to_multiple_of": 64,
              "mode": "inference",
              "model_type": "xlstm",
              "norm_eps": 1e-06,
              "norm_reduction_force_float32": true,
              "num_blocks": 32,
              "num_heads": 8,
              "output_logit_soft_cap": 30.0,
              "pad_token_id": 1,
              "qk_dim_factor": 0.5,
              "return_last_states": true,
              "sequence_kernel": "native_sequence__triton",
              "step_kernel": "triton",
              "tie_word_embeddings": false,
              "torch_dtype": "float32",
              "use_bias": false,
              "use_cache": true,
              "v_dim_factor": 1.0,
              "vocab_size": 50304,
              "weight_mode": "single"
            }
            """;

    static final String GENERATION_CONFIG = """
            {"bos_token_id": 0, "eos_token_id": 2, "pad_token_id": 1}
            """;

    /** Jackson parsing of a preset (a bug, not user input, if it fails). */
    private static final class TestJson {
        static com.fasterxml.jackson.databind.JsonNode parse(String s) {
            try {
                return new com.fasterxml.jackson.databind.ObjectMapper().readTree(s);
            } catch (IOException e) {
                throw new UserError("config: not valid JSON: " + e.getMessage());
            }
        }
    }
}
