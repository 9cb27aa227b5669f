package xlstm.runtime.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import xlstm.runtime.UserError;

class ConfigTest {
    static final ObjectMapper M = new ObjectMapper();

    static JsonNode resource(String name) throws IOException {
        try (InputStream in = ConfigTest.class.getResourceAsStream("/golden-configs/" + name)) {
            if (in == null) throw new IOException("missing test resource " + name);
            return M.readTree(in);
        }
    }

    static JsonNode json(String s) {
        try {
            return M.readTree(s.replace('\'', '"'));
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }

    // ---------------------------------------------------------------- golden cases

    @ParameterizedTest
    @ValueSource(strings = {"block_stack_mixed", "block_stack_mlstm"})
    void blockStackCasesResolveExactlyAsTheReference(String name) throws IOException {
        JsonNode c = resource(name + "/case.json");
        BlockStackConfig cfg = BlockStackConfig.fromJson(c.get("config"));
        assertEquals(c.get("resolved_config"), cfg.toJson());
        assertEquals(64, cfg.mlstmBlock().mlstm().innerEmbeddingDim());
        assertEquals(64, cfg.mlstmBlock().mlstm().projUpDim());
        // a resolved dictionary reads back to the same config
        assertEquals(cfg, BlockStackConfig.fromJson(c.get("resolved_config")));
    }

    @Test
    void mixedStackBlocks() throws IOException {
        BlockStackConfig cfg = BlockStackConfig.fromJson(resource("block_stack_mixed/case.json").get("config"));
        assertEquals(List.of(0, 1, 0), cfg.blockMap());
        assertEquals("0,1,0", cfg.blockMapString());
        MlstmBlockConfig b0 = assertInstanceOf(MlstmBlockConfig.class, cfg.block(0));
        assertEquals(0, b0.blockIdx());
        assertEquals(3, b0.numBlocks());
        assertEquals(24, b0.mlstm().contextLength());
        assertEquals(16, b0.mlstm().headDim());
        assertEquals(16, b0.mlstm().qkvProjHeads());
        assertNull(b0.feedforward());
        SlstmBlockConfig b1 = assertInstanceOf(SlstmBlockConfig.class, cfg.block(1));
        assertEquals(1, b1.blockIdx());
        assertEquals(1, b1.slstm().blockIdx());
        assertEquals(3, b1.slstm().numBlocks());
        assertEquals(32, b1.slstm().hiddenSize());
        assertEquals(8, b1.slstm().headDim());
        assertTrue(b1.slstm().vanillaBackend());
        // the block-level feed-forward gets E and _num_blocks (xLSTMBlockConfig.__post_init__)
        assertEquals(32, b1.feedforward().embeddingDim());
        assertEquals(3, b1.feedforward().numBlocks());
        assertEquals(64, b1.feedforward().projUpDim()); // ceil(1.3*32/64)*64
        assertEquals(ActivationFn.GELU, b1.feedforward().activation());
        assertEquals(2, cfg.block(2).blockIdx());
    }

    @Test
    void lmModelCaseResolvesExactlyAsTheReference() throws IOException {
        JsonNode c = resource("lm_model_small/case.json");
        LmModelConfig cfg = LmModelConfig.fromJson(c.get("config"));
        assertEquals(c.get("resolved_config"), cfg.toJson());
        assertEquals(97, cfg.vocabSize());
        assertFalse(cfg.tieWeights());
        assertEquals(List.of(0, 1, 0), cfg.blockMap());
        assertEquals(cfg, LmModelConfig.fromJson(c.get("resolved_config")));
    }

    @Test
    void xlstmLargeCase() throws IOException {
        XlstmLargeConfig cfg = XlstmLargeConfig.fromJson(resource("xlstm_large_small/case.json").get("config"));
        assertEquals(64, cfg.embeddingDim());
        assertEquals(32, cfg.qkDim());
        assertEquals(64, cfg.vDim());
        assertEquals(8, cfg.qkHeadDim());
        assertEquals(16, cfg.vHeadDim());
        assertEquals(192, cfg.ffnUpProjDim()); // (64*2.6667 + 63) // 64 * 64
        assertEquals("inference", cfg.mode());
        assertEquals(16, cfg.chunkSize());
        assertFalse(cfg.fused());
        assertEquals(cfg, XlstmLargeConfig.fromJson(cfg.toJson()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"hf_xlstm_small", "hf_xlstm_bf16"})
    void hfConfigs(String name) throws IOException {
        JsonNode caseJson = resource(name + "/case.json");
        HfXlstmConfig fromCase = HfXlstmConfig.fromJson(caseJson.get("config"));
        HfXlstmConfig fromFile = HfXlstmConfig.fromJson(resource(name + "/hf-config.json"));
        assertEquals(fromCase.model(), fromFile.model());
        XlstmLargeConfig m = fromFile.model();
        assertEquals(128, m.embeddingDim());
        assertEquals(2, m.numBlocks());
        assertEquals(64, m.qkDim());
        assertEquals(128, m.vDim());
        assertEquals(384, m.ffnUpProjDim()); // (128*2.667 + 63) // 64 * 64
        assertEquals("inference", m.mode());
        assertTrue(m.returnLastStates());
        assertEquals(0, fromFile.bosTokenId());
        assertEquals(2, fromFile.eosTokenId());
        assertEquals(1, fromFile.padTokenId());
        assertEquals(16384, fromFile.maxInferenceChunksize());
        assertFalse(fromFile.tieWordEmbeddings());
        assertEquals(name.endsWith("bf16") ? "bfloat16" : "float32", fromFile.dtype());
        assertEquals(m, HfXlstmConfig.fromJson(fromFile.toJson()).model());
    }

    // ---------------------------------------------------------------- sizes

    @Test
    void sevenBSizes() {
        XlstmLargeConfig c = XlstmLargeConfig.of(4096, 8, 32, 50304);
        assertEquals(2048, c.qkDim());
        assertEquals(4096, c.vDim());
        assertEquals(256, c.qkHeadDim());
        assertEquals(512, c.vHeadDim());
        assertEquals(10944, c.ffnUpProjDim());
        assertEquals(1408, XlstmLargeConfig.of(512, 4, 2, 100).ffnUpProjDim());
        assertEquals(10944, HfXlstmConfig.fromJson(json("{}")).model().ffnUpProjDim()); // 2.667
        HfXlstmConfig d = HfXlstmConfig.fromJson(json("{}"));
        assertEquals(4096, d.model().embeddingDim());
        assertEquals(32, d.model().numBlocks());
        assertEquals(50304, d.model().vocabSize());
        assertEquals("chunkwise--native_autograd", d.model().chunkwiseKernel());
    }

    @Test
    void upProjectionRounding() {
        assertEquals(256, Sizes.projUpDim(2.0, 128, true, 64));
        assertEquals(192, Sizes.projUpDim(1.3, 128, true, 64));
        assertEquals(128, Sizes.projUpDim(1.3, 128, false, 64));
        assertEquals(0, Sizes.projUpDim(1.3, -1, true, 64));
        FeedForwardConfig down = new FeedForwardConfig(1.3, false, 64, "relu^2", 128, 0.0, false, "ffn_gated", 1);
        assertEquals(128, down.projUpDim());
        assertEquals(ActivationFn.RELU_SQUARED, down.activation());
        assertEquals(3.0, Sizes.pythonFloorDiv(7.5, 2.0));
        assertEquals(-4.0, Sizes.pythonFloorDiv(-7.5, 2.0));
        assertEquals(-4.0, Sizes.pythonFloorDiv(7.5, -2.0));
    }

    // ---------------------------------------------------------------- resolution rules

    @Test
    void defaultsAndPropagation() {
        BlockStackConfig c = BlockStackConfig.fromJson(json(
                "{'mlstm_block': {}, 'slstm_block': {'slstm': {'num_heads': 0}, 'feedforward': null},"
                        + " 'num_blocks': 4, 'embedding_dim': 64, 'context_length': 10, 'bias': true, 'dropout': 0.1,"
                        + " 'slstm_at': [3, 1]}"));
        assertEquals(List.of(0, 1, 0, 1), c.blockMap());
        assertTrue(c.mlstmBlock().mlstm().bias());
        assertEquals(0.1, c.mlstmBlock().mlstm().dropout());
        assertEquals(0.1, c.slstmBlock().slstm().dropout());
        assertEquals(1, c.slstmBlock().slstm().numHeads()); // coerced
        assertEquals("cuda", c.slstmBlock().slstm().backend());
        assertEquals("float32", c.slstmBlock().slstm().dtypeB());
        assertEquals("bfloat16", c.slstmBlock().slstm().dtypeS());
        assertNull(c.block(1).feedforward());
        assertEquals(128, c.mlstmBlock().mlstm().innerEmbeddingDim());
        // no mlstm_block: every block is an sLSTM block
        BlockStackConfig s = BlockStackConfig.fromJson(json("{'slstm_block': {}, 'num_blocks': 3, 'embedding_dim': 32}"));
        assertEquals(List.of(1, 1, 1), s.blockMap());
        BlockStackConfig all = BlockStackConfig.fromJson(json(
                "{'mlstm_block': {}, 'slstm_block': {}, 'num_blocks': 2, 'embedding_dim': 32, 'slstm_at': 'all'}"));
        assertEquals(List.of(0, 1), all.slstmAt());
        // lstm function has 2 states; dtype_b null means dtype
        SlstmLayerConfig l = SlstmLayerConfig.fromJson(json(
                "{'function': 'lstm', 'dtype': 'float32', 'dtype_b': null, 'dtype_r': 'float16'}"));
        assertEquals(2, l.numStates());
        assertEquals("float32", l.dtypeB());
        assertEquals("float32", l.dtypeA());
        assertEquals("float16", l.dtypeG());
        assertEquals(0, l.blockIdx());
        assertEquals(1, l.numBlocks());
    }

    @Test
    void activations() {
        for (String name : ActivationFn.configNames()) {
            assertEquals(name, ActivationFn.fromConfig(name, "act_fn").configName());
        }
        assertEquals(0.8413447460685429 * 1.0, ActivationFn.GELU.apply(1.0), 1e-15);
        assertEquals(-0.15865525393145707, ActivationFn.GELU.apply(-1.0), 1e-15);
        assertEquals(0.9953222650189527, ActivationFn.erf(2.0), 1e-15);
        assertEquals(0.5204998778130465, ActivationFn.erf(0.5), 1e-15);
        assertEquals(0.9999999845827421, ActivationFn.erf(4.0), 1e-15);
        assertEquals(-0.9999999999984626, ActivationFn.erf(-5.0), 1e-15);
        assertEquals(0.7310585786300049, ActivationFn.SWISH.apply(1.0), 1e-15);
        assertEquals(-1.1113307378125625, ActivationFn.SELU.apply(-1.0), 1e-15);
        assertEquals(4.0, ActivationFn.RELU_SQUARED.apply(2.0));
        for (ActivationFn a : ActivationFn.values()) {
            for (double x : new double[] {-2.3, -0.4, 0.3, 1.7}) {
                double num = (a.apply(x + 1e-6) - a.apply(x - 1e-6)) / 2e-6;
                assertEquals(num, a.derivative(x), 1e-6, a + " at " + x);
            }
        }
    }

    // ---------------------------------------------------------------- errors

    static String error(Runnable r) {
        return assertThrows(UserError.class, r::run).getMessage();
    }

    @Test
    void invalidValuesNameTheOption() {
        String base = "'mlstm_block': {'mlstm': {}}, 'slstm_block': {'slstm': {}, 'feedforward': {}},"
                + " 'num_blocks': 2, 'embedding_dim': 32, 'context_length': 8, 'slstm_at': [1]";
        String m = error(() -> BlockStackConfig.fromJson(json("{" + base.replace("'feedforward': {}",
                "'feedforward': {'act_fn': 'foo'}") + "}")));
        assertTrue(m.contains("slstm_block.feedforward.act_fn") && m.contains("foo"), m);
        m = error(() -> BlockStackConfig.fromJson(json("{" + base.replace("'slstm': {}", "'slstm': {'backend': 'x'}") + "}")));
        assertTrue(m.contains("slstm_block.slstm.backend"), m);
        m = error(() -> BlockStackConfig.fromJson(json("{" + base.replace("'slstm': {}", "'slstm': {'num_heads': 5}") + "}")));
        assertTrue(m.contains("slstm_block.slstm.num_heads") && m.contains("does not divide"), m);
        m = error(() -> BlockStackConfig.fromJson(json("{" + base.replace("'mlstm': {}", "'mlstm': {'num_heads': 3}") + "}")));
        assertTrue(m.contains("mlstm_block.mlstm.num_heads"), m);
        m = error(() -> BlockStackConfig.fromJson(json("{" + base.replace("'mlstm': {}", "'mlstm': {'qkv_proj_blocksize': 5}") + "}")));
        assertTrue(m.contains("mlstm_block.mlstm.qkv_proj_blocksize"), m);
        m = error(() -> BlockStackConfig.fromJson(json("{" + base.replace("'mlstm': {}", "'mlstm': {'conv1d_kernel_size': -1}") + "}")));
        assertTrue(m.contains("mlstm_block.mlstm.conv1d_kernel_size"), m);
        m = error(() -> BlockStackConfig.fromJson(json("{" + base.replace("'mlstm': {}", "'mlstm': {'colour': 1}") + "}")));
        assertTrue(m.contains("mlstm_block.mlstm.colour") && m.contains("unknown option"), m);
        m = error(() -> BlockStackConfig.fromJson(json("{" + base + ", 'embedding_dim': -32}")));
        assertTrue(m.contains("'embedding_dim'"), m);
        m = error(() -> BlockStackConfig.fromJson(json("{" + base.replace("'slstm_at': [1]", "'slstm_at': [2]") + "}")));
        assertTrue(m.contains("slstm_at"), m);
        m = error(() -> BlockStackConfig.fromJson(json("{" + base.replace("'slstm_at': [1]", "'slstm_at': 'some'") + "}")));
        assertTrue(m.contains("slstm_at"), m);
        m = error(() -> BlockStackConfig.fromJson(json("{" + base.replace("'context_length': 8", "'context_length': -1") + "}")));
        assertTrue(m.contains("mlstm_block.mlstm.context_length"), m);
        m = error(() -> BlockStackConfig.fromJson(json("{" + base.replace("'num_blocks': 2", "'num_blocks': 2.5") + "}")));
        assertTrue(m.contains("num_blocks") && m.contains("integer"), m);
        m = error(() -> BlockStackConfig.fromJson(json("{" + base.replace("'num_blocks': 2", "'num_blocks': 'two'") + "}")));
        assertTrue(m.contains("num_blocks"), m);
        m = error(() -> BlockStackConfig.fromJson(json("{'mlstm_block': {}, 'num_blocks': 2, 'embedding_dim': 32,"
                + " 'context_length': 8, 'slstm_at': [0]}")));
        assertTrue(m.contains("slstm_block") && m.contains("required"), m);
        m = error(() -> BlockStackConfig.fromJson(json("{" + base + ", 'bias': 'maybe'}")));
        assertTrue(m.contains("'bias'"), m);
        m = error(() -> BlockStackConfig.fromJson(json("{" + base.replace("'slstm': {}", "'slstm': {'bias_init': 'ones'}") + "}")));
        assertTrue(m.contains("slstm_block.slstm.bias_init"), m);
        m = error(() -> BlockStackConfig.fromJson(json("{" + base.replace("'slstm': {}", "'slstm': {'function': 'gru'}") + "}")));
        assertTrue(m.contains("slstm_block.slstm.function"), m);
        m = error(() -> BlockStackConfig.fromJson(json("{" + base.replace("'slstm': {}", "'slstm': {'dtype_r': 'int8'}") + "}")));
        assertTrue(m.contains("slstm_block.slstm.dtype_r"), m);
        m = error(() -> BlockStackConfig.fromJson(json("{" + base.replace("'feedforward': {}", "'feedforward': {'ff_type': 'moe'}") + "}")));
        assertTrue(m.contains("slstm_block.feedforward.ff_type"), m);
        m = error(() -> BlockStackConfig.fromJson(json("[1, 2]")));
        assertTrue(m.contains("dictionary"), m);
        m = error(() -> LmModelConfig.fromJson(json("{" + base + "}")));
        assertTrue(m.contains("vocab_size"), m);
        m = error(() -> LmModelConfig.fromJson(json("{" + base + ", 'vocab_size': 10, 'tie_weight': true}")));
        assertTrue(m.contains("'tie_weight'") && m.contains("unknown"), m);
    }

    @Test
    void largeErrors() {
        String base = "'embedding_dim': 64, 'num_heads': 4, 'num_blocks': 2, 'vocab_size': 100";
        String m = error(() -> XlstmLargeConfig.fromJson(json("{" + base + ", 'weight_mode': 'x'}")));
        assertTrue(m.contains("'weight_mode'") && m.contains("\"x\""), m);
        m = error(() -> XlstmLargeConfig.fromJson(json("{'embedding_dim': 64, 'num_heads': 3, 'num_blocks': 2, 'vocab_size': 100}")));
        assertTrue(m.contains("'num_heads'") && m.contains("does not divide"), m);
        m = error(() -> XlstmLargeConfig.fromJson(json("{'num_heads': 4, 'num_blocks': 2, 'vocab_size': 100}")));
        assertTrue(m.contains("'embedding_dim'") && m.contains("required"), m);
        m = error(() -> XlstmLargeConfig.fromJson(json("{" + base + ", 'mode': 'eval'}")));
        assertTrue(m.contains("'mode'"), m);
        m = error(() -> XlstmLargeConfig.fromJson(json("{" + base + ", 'chunkwise_kernel': 'chunkwise--foo'}")));
        assertTrue(m.contains("'chunkwise_kernel'"), m);
        m = error(() -> XlstmLargeConfig.fromJson(json("{" + base + ", 'chunk_size': 0}")));
        assertTrue(m.contains("'chunk_size'"), m);
        m = error(() -> XlstmLargeConfig.fromJson(json("{" + base + ", 'vocab_size': -5}")));
        assertTrue(m.contains("'vocab_size'"), m);
        m = error(() -> XlstmLargeConfig.fromJson(json("{" + base + ", 'hidden_size': 64}")));
        assertTrue(m.contains("'hidden_size'") && m.contains("unknown"), m);
        m = error(() -> HfXlstmConfig.fromJson(json("{'hidden_size': 64, 'embedding_dim': 128}")));
        assertTrue(m.contains("'hidden_size'") && m.contains("conflicts"), m);
        m = error(() -> HfXlstmConfig.fromJson(json("{'model_type': 'llama'}")));
        assertTrue(m.contains("'model_type'"), m);
        m = error(() -> HfXlstmConfig.fromJson(json("{'add_qk_norm': true}")));
        assertTrue(m.contains("'add_qk_norm'"), m);
        m = error(() -> HfXlstmConfig.fromJson(json("{'step_backend_name': 'cuda_magic'}")));
        assertTrue(m.contains("'step_backend_name'"), m);
        m = error(() -> HfXlstmConfig.fromJson(json("{'rope_theta': 10000}")));
        assertTrue(m.contains("'rope_theta'") && m.contains("unknown"), m);
    }

    // ---------------------------------------------------------------- HF / 7B keys

    @Test
    void releasedSevenBConfigKeys() {
        // the key set of NX-AI/xLSTM-7b's config.json (older names next to the current ones)
        HfXlstmConfig c = HfXlstmConfig.fromJson(json("{'add_embedding_dropout': false,"
                + " 'add_forward_backend_padding': false, 'add_out_norm': true, 'add_post_blocks_norm': true,"
                + " 'add_post_norm': false, 'add_qk_norm': false, 'architectures': ['xLSTMForCausalLM'],"
                + " 'autocast_kernel_dtype': 'bfloat16', 'bos_token_id': 0, 'cell_norm_eps': 1e-06, 'chunk_size': 64,"
                + " 'chunkwise_kernel': 'chunkwise--triton_xl_chunk', 'embedding_dim': 4096, 'eos_token_id': 2,"
                + " 'eps': 1e-06, 'ffn_proj_factor': 2.667, 'ffn_round_up_to_multiple_of': 64,"
                + " 'force_bos_token_insert': true, 'gate_soft_cap': 15.0, 'head_dim': 512,"
                + " 'igate_bias_init_range': -10.0, 'inference_state_dtype': 'float32',"
                + " 'mlstm_round_up_to_multiple_of': 64, 'mode': 'inference', 'model_type': 'xlstm',"
                + " 'norm_eps': 1e-06, 'norm_reduction_force_float32': true, 'num_blocks': 32, 'num_heads': 8,"
                + " 'output_logit_soft_cap': 30.0, 'pad_token_id': 1, 'qk_dim_factor': 0.5, 'return_last_states': true,"
                + " 'sequence_kernel': 'native_sequence__triton', 'step_kernel': 'triton', 'tie_word_embeddings': false,"
                + " 'torch_dtype': 'float32', 'transformers_version': '4.48.0.dev0', 'use_bias': false,"
                + " 'use_cache': true, 'v_dim_factor': 1.0, 'vocab_size': 50304, 'weight_mode': 'single'}"));
        assertEquals(4096, c.model().embeddingDim());
        assertEquals(32, c.model().numBlocks());
        assertEquals(10944, c.model().ffnUpProjDim());
        assertTrue(c.forceBosTokenInsert());
        assertEquals("float32", c.dtype());
        // pre-release names
        HfXlstmConfig old = HfXlstmConfig.fromJson(json("{'embedding_dim': 256, 'num_blocks': 2, 'num_heads': 4,"
                + " 'forward_backend_name': 'chunkwise--triton_xl_chunk', 'step_backend_name': 'triton_fused',"
                + " 'add_post_blocks_norm': false, 'eos_token_id': [2, 3]}"));
        assertEquals("chunkwise--triton_xl_chunk", old.model().chunkwiseKernel());
        assertEquals("triton", old.model().stepKernel());
        assertFalse(old.model().addOutNorm());
        assertEquals(List.of(2, 3), old.eosTokenIds());
        HfXlstmConfig hf = HfXlstmConfig.fromJson(json("{'hidden_size': 256, 'num_hidden_layers': 3, 'num_heads': 4}"));
        assertEquals(256, hf.model().embeddingDim());
        assertEquals(3, hf.model().numBlocks());
    }

    // ---------------------------------------------------------------- files

    @Test
    void yamlAndJsonFiles(@TempDir Path dir) throws IOException {
        Path y = dir.resolve("model.yaml");
        Files.writeString(y, """
                # the parity experiment's model section
                mlstm_block:
                  mlstm:
                    num_heads: 1
                slstm_block:
                  slstm:
                    num_heads: 1
                    backend: vanilla
                  feedforward:
                    proj_factor: 1.3
                    act_fn: swish
                context_length: 256
                num_blocks: 2
                embedding_dim: 64
                slstm_at: [1]
                vocab_size: 3
                """);
        LmModelConfig c = LmModelConfig.load(y);
        assertEquals(List.of(0, 1), c.blockMap());
        assertEquals(3, c.vocabSize());
        assertEquals(ActivationFn.SWISH, c.block(1).feedforward().activation());
        assertEquals(128, c.stack().mlstmBlock().mlstm().innerEmbeddingDim());

        Path large = dir.resolve("config.yaml");
        Files.writeString(large, "embedding_dim: 64\nnum_heads: 4\nnum_blocks: 2\nvocab_size: 10\nnorm_eps: 1e-5\n");
        XlstmLargeConfig l = XlstmLargeConfig.load(large);
        assertEquals(1e-5, l.normEps()); // YAML 1.1 reads 1e-5 as a string: accepted as a number

        Path j = dir.resolve("c.json");
        ConfigFiles.write(j, c.toJson());
        assertEquals(c, LmModelConfig.load(j));

        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"num_blocks\": 2,");
        String m = error(() -> LmModelConfig.load(bad));
        assertTrue(m.startsWith(bad.toString()) && m.contains("not valid JSON"), m);
        Path badValue = dir.resolve("bad.yaml");
        Files.writeString(badValue, "slstm_block: {feedforward: {act_fn: foo}}\nvocab_size: 3\n");
        m = error(() -> LmModelConfig.load(badValue));
        assertTrue(m.startsWith(badValue.toString()) && m.contains("slstm_block.feedforward.act_fn"), m);
        m = error(() -> LmModelConfig.load(dir.resolve("missing.yaml")));
        assertTrue(m.contains("no such file"), m);

        Path hfDir = dir.resolve("hf");
        Files.createDirectories(hfDir);
        Files.writeString(hfDir.resolve("config.json"), resource("hf_xlstm_small/hf-config.json").toString());
        assertEquals(128, HfXlstmConfig.load(hfDir).model().embeddingDim());
    }

    @Test
    void programmaticConstruction() {
        BlockStackConfig s = BlockStackConfig.of(MlstmBlockConfig.defaults(), SlstmBlockConfig.defaults(), 16, 3, 32,
                List.of(2));
        assertEquals(List.of(0, 0, 1), s.blockMap());
        assertEquals(32, s.slstmBlock().slstm().embeddingDim());
        assertEquals(3, s.slstmBlock().slstm().numBlocks());
        ObjectNode n = s.toJson();
        assertEquals(s, BlockStackConfig.fromJson(n));
        assertThrows(ConfigError.class, () -> new FeedForwardConfig(1.3, true, 64, "foo", 8, 0, false, "ffn_gated", 1));
        assertEquals(2, BlockStackConfig.of(null, SlstmBlockConfig.defaults(), -1, 2, 32, List.of()).slstmAt().size());
    }
}
