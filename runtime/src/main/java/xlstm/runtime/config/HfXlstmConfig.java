package xlstm.runtime.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A HuggingFace {@code config.json} of an xLSTM checkpoint ({@code transformers} {@code xLSTMConfig},
 * {@code model_type "xlstm"}), mapped to an {@link XlstmLargeConfig} plus the HF-only fields.
 *
 * <p>Keys: {@code hidden_size}/{@code embedding_dim} and {@code num_hidden_layers}/{@code num_blocks} are aliases
 * (conflicting values are an error); missing keys take transformers' defaults (the 7B: vocab 50304, E 4096, 32
 * blocks, 8 heads, native kernels, mode inference, {@code ffn_proj_factor} 2.667). Older keys of the released
 * NX-AI/xLSTM-7b config and of pre-release ports are understood: {@code forward_backend_name} (→
 * {@code chunkwise_kernel}), {@code step_backend_name} ({@code triton_fused} → {@code triton}),
 * {@code add_post_blocks_norm} (→ {@code add_out_norm}), {@code logits_soft_cap} (→ {@code output_logit_soft_cap});
 * the training-only keys ({@code igate_bias_init_range}, {@code cell_norm_eps}, {@code add_embedding_dropout},
 * {@code mlstm_round_up_to_multiple_of}, {@code add_forward_backend_padding}, {@code head_dim}, init settings)
 * are accepted and ignored; {@code add_qk_norm}/{@code add_post_norm} = true are rejected (not part of this
 * architecture). Generic {@code PretrainedConfig} keys are accepted.
 *
 * @param model                 the architecture
 * @param tieWordEmbeddings     {@code tie_word_embeddings} (false): lm_head reuses the embedding matrix
 * @param bosTokenId            {@code bos_token_id} (0)
 * @param eosTokenIds           {@code eos_token_id} (2; an int or a list)
 * @param padTokenId            {@code pad_token_id} (1)
 * @param maxInferenceChunksize {@code max_inference_chunksize} (16384): prompts are fed in slices of this length
 * @param useCache              {@code use_cache} (true)
 * @param dtype                 {@code dtype} / {@code torch_dtype} of the stored weights (null when absent)
 * @param forceBosTokenInsert   {@code force_bos_token_insert} (false when absent)
 */
public record HfXlstmConfig(XlstmLargeConfig model, boolean tieWordEmbeddings, Integer bosTokenId,
                            List<Integer> eosTokenIds, Integer padTokenId, int maxInferenceChunksize,
                            boolean useCache, String dtype, boolean forceBosTokenInsert) {

    /** Keys of transformers' generic {@code PretrainedConfig} and generation settings: accepted, ignored. */
    static final String[] GENERIC_KEYS = {
            "architectures", "model_type", "transformers_version", "_name_or_path", "name_or_path",
            "output_hidden_states", "output_attentions", "return_dict", "use_return_dict", "torchscript",
            "chunk_size_feed_forward", "is_encoder_decoder", "is_decoder", "add_cross_attention",
            "cross_attention_hidden_size", "tie_encoder_decoder", "id2label", "label2id", "num_labels",
            "problem_type", "finetuning_task", "tokenizer_class", "prefix", "task_specific_params", "pruned_heads",
            "sep_token_id", "decoder_start_token_id", "max_length", "min_length", "do_sample", "early_stopping",
            "num_beams", "num_beam_groups", "diversity_penalty", "temperature", "top_k", "top_p", "typical_p",
            "repetition_penalty", "length_penalty", "no_repeat_ngram_size", "encoder_no_repeat_ngram_size",
            "bad_words_ids", "num_return_sequences", "output_scores", "return_dict_in_generate",
            "forced_bos_token_id", "forced_eos_token_id", "remove_invalid_values",
            "exponential_decay_length_penalty", "suppress_tokens", "begin_suppress_tokens", "tf_legacy_loss",
            "use_bfloat16", "auto_map", "initializer_range", "_attn_implementation_autoset",
            "_commit_hash", "attn_implementation"};

    /** Older / training-only keys: accepted, ignored. */
    static final String[] IGNORED_MODEL_KEYS = {
            "igate_bias_init_range", "cell_norm_eps", "add_embedding_dropout", "mlstm_round_up_to_multiple_of",
            "add_forward_backend_padding", "head_dim", "init_distribution", "init_distribution_embed",
            "output_init_fn", "lm_head_dtype", "cell_norm_type", "gate_dtype", "backend", "backend_name",
            "reset_at_document_boundaries"};

    public HfXlstmConfig {
        if (model == null) throw new ConfigError("<root>", "missing model config");
        eosTokenIds = eosTokenIds == null ? List.of() : List.copyOf(eosTokenIds);
        ConfigError.positive(maxInferenceChunksize, "max_inference_chunksize");
    }

    /** The first end-of-sequence id, or null. */
    public Integer eosTokenId() { return eosTokenIds.isEmpty() ? null : eosTokenIds.get(0); }

    /** Reads {@code config.json} (a file, or a checkpoint directory holding one). */
    public static HfXlstmConfig load(Path fileOrDir) {
        Path f = Files.isDirectory(fileOrDir) ? fileOrDir.resolve("config.json") : fileOrDir;
        return ConfigFiles.parse(f, HfXlstmConfig::fromJson);
    }

    public static HfXlstmConfig fromJson(JsonNode node) {
        ConfigNode c = ConfigNode.of(node);
        String modelType = c.getString("model_type", null);
        if (modelType != null && !modelType.equalsIgnoreCase("xlstm")) {
            throw ConfigError.invalid("model_type", modelType, "\"xlstm\"");
        }
        c.accept(GENERIC_KEYS).accept(IGNORED_MODEL_KEYS);
        for (String unsupported : new String[] {"add_qk_norm", "add_post_norm"}) {
            if (c.getBool(unsupported, false)) {
                throw new ConfigError(unsupported, "true is not supported (xLSTM Large has no such norm)");
            }
        }
        int e = alias(c, "hidden_size", "embedding_dim", 4096);
        int nb = alias(c, "num_hidden_layers", "num_blocks", 32);
        int nh = c.getInt("num_heads", 8);
        int v = c.getInt("vocab_size", 50304);

        // Older key names: copy them onto the current ones when those are absent.
        ObjectNode copy = ((ObjectNode) c.node()).deepCopy();
        String fwd = c.getString("forward_backend_name", null);
        if (fwd != null && !c.has("chunkwise_kernel")) {
            ConfigError.oneOf(fwd, "forward_backend_name", XlstmLargeConfig.CHUNKWISE_KERNELS);
            copy.put("chunkwise_kernel", fwd);
        }
        String stepName = c.getString("step_backend_name", null);
        if (stepName != null && !c.has("step_kernel")) {
            String mapped = switch (stepName) {
                case "triton_fused", "triton" -> "triton";
                case "native" -> "native";
                default -> throw ConfigError.invalid("step_backend_name", stepName, "one of triton_fused, triton, native");
            };
            copy.put("step_kernel", mapped);
        }
        if (c.has("add_post_blocks_norm") && !c.has("add_out_norm")) {
            copy.put("add_out_norm", c.getBool("add_post_blocks_norm", true));
        }
        c.accept("add_post_blocks_norm");
        if (c.has("logits_soft_cap") && !c.has("output_logit_soft_cap")) {
            copy.put("output_logit_soft_cap", c.getDouble("logits_soft_cap", 30.0));
        }
        c.accept("logits_soft_cap");

        boolean tie = c.getBool("tie_word_embeddings", false);
        Integer bos = c.getIntOrNull("bos_token_id", 0);
        Integer pad = c.getIntOrNull("pad_token_id", 1);
        List<Integer> eos;
        JsonNode eosNode = c.raw("eos_token_id");
        if (!c.present("eos_token_id")) eos = List.of(2);
        else if (eosNode == null) eos = List.of();
        else if (eosNode.isArray()) eos = c.getIntList("eos_token_id");
        else eos = List.of(c.getInt("eos_token_id", 2));
        int maxChunk = c.getInt("max_inference_chunksize", 16384);
        boolean useCache = c.getBool("use_cache", true);
        String dtype = c.getString("dtype", null);
        String torchDtype = c.getString("torch_dtype", null);
        boolean forceBos = c.getBool("force_bos_token_insert", false);

        ConfigNode model = ConfigNode.of(copy);
        // mark everything already handled above as known on the copy too
        model.accept(GENERIC_KEYS).accept(IGNORED_MODEL_KEYS).accept("add_qk_norm", "add_post_norm", "hidden_size",
                "embedding_dim", "num_hidden_layers", "num_blocks", "num_heads", "vocab_size", "forward_backend_name",
                "step_backend_name", "add_post_blocks_norm", "logits_soft_cap", "tie_word_embeddings", "bos_token_id",
                "pad_token_id", "eos_token_id", "max_inference_chunksize", "use_cache", "dtype", "torch_dtype",
                "force_bos_token_insert");
        XlstmLargeConfig large = XlstmLargeConfig.read(model, XlstmLargeConfig.Defaults.HF, new int[] {e, nh, nb, v});
        model.finish();
        String dt = dtype != null ? dtype : torchDtype;
        return new HfXlstmConfig(large, tie, bos, eos, pad, maxChunk, useCache, dt, forceBos);
    }

    private static int alias(ConfigNode c, String hfKey, String largeKey, int def) {
        Integer a = c.getIntOrNull(hfKey, null);
        Integer b = c.getIntOrNull(largeKey, null);
        if (a != null && b != null && !a.equals(b)) {
            throw new ConfigError(hfKey, a + " conflicts with " + largeKey + " = " + b);
        }
        return a != null ? a : b != null ? b : def;
    }

    /** A {@code config.json} dictionary as transformers writes it. */
    public ObjectNode toJson() {
        ObjectNode o = ConfigNode.object();
        o.put("model_type", "xlstm");
        o.putArray("architectures").add("xLSTMForCausalLM");
        ObjectNode m = model.toJson();
        o.put("vocab_size", model.vocabSize());
        o.put("hidden_size", model.embeddingDim());
        o.put("embedding_dim", model.embeddingDim());
        o.put("num_hidden_layers", model.numBlocks());
        o.put("num_blocks", model.numBlocks());
        m.remove(List.of("vocab_size", "embedding_dim", "num_blocks"));
        o.setAll(m);
        o.put("tie_word_embeddings", tieWordEmbeddings);
        o.put("use_cache", useCache);
        if (padTokenId == null) o.putNull("pad_token_id"); else o.put("pad_token_id", padTokenId.intValue());
        if (bosTokenId == null) o.putNull("bos_token_id"); else o.put("bos_token_id", bosTokenId.intValue());
        if (eosTokenIds.size() == 1) o.put("eos_token_id", eosTokenIds.get(0).intValue());
        else { var a = o.putArray("eos_token_id"); eosTokenIds.forEach(a::add); }
        o.put("max_inference_chunksize", maxInferenceChunksize);
        if (dtype != null) o.put("dtype", dtype);
        return o;
    }
}
