package xlstm.runtime.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * {@code xLSTMBlockStackConfig}, resolved as its {@code __post_init__} does: no {@code mlstm_block} ⇒
 * {@code slstm_at = "all"}; {@code "all"} ⇒ every index; {@code embedding_dim}, {@code bias}, {@code dropout},
 * {@code context_length} and {@code _num_blocks} copied into the mLSTM layer; {@code dropout},
 * {@code embedding_dim} and {@code _num_blocks} into the sLSTM layer ({@code bias} reaches only the mLSTM
 * layer; the feed-forward's {@code dropout} is its own). The constructor checks every size: a config that
 * constructs can be built into a model.
 *
 * @param mlstmBlock        {@code mlstm_block} (null = none)
 * @param slstmBlock        {@code slstm_block} (null = none)
 * @param contextLength     {@code context_length} (-1; must be positive when an mLSTM block exists)
 * @param numBlocks         {@code num_blocks} (1)
 * @param embeddingDim      {@code embedding_dim} (128)
 * @param addPostBlocksNorm {@code add_post_blocks_norm} (true)
 * @param bias              {@code bias} (false)
 * @param dropout           {@code dropout} (0.0)
 * @param slstmAt           {@code slstm_at} ([]): block indices of sLSTM blocks; pass null for "all". After
 *                          construction always the explicit list.
 */
public record BlockStackConfig(MlstmBlockConfig mlstmBlock, SlstmBlockConfig slstmBlock, int contextLength,
                               int numBlocks, int embeddingDim, boolean addPostBlocksNorm, boolean bias,
                               double dropout, List<Integer> slstmAt) {

    public BlockStackConfig {
        ConfigError.positive(numBlocks, "num_blocks");
        ConfigError.positive(embeddingDim, "embedding_dim");
        ConfigError.probability(dropout, "dropout");
        if (mlstmBlock == null || slstmAt == null) {
            slstmAt = IntStream.range(0, numBlocks).boxed().toList();
        } else {
            slstmAt = Collections.unmodifiableList(new ArrayList<>(slstmAt));
        }
        for (Integer i : slstmAt) {
            if (i == null || i < 0 || i >= numBlocks) {
                throw ConfigError.invalid("slstm_at", slstmAt.toString(),
                        "block indices in [0, " + numBlocks + ") or \"all\"");
            }
        }
        if (mlstmBlock != null) {
            MlstmLayerConfig m = mlstmBlock.mlstm().withStack(embeddingDim, bias, dropout, contextLength, numBlocks);
            mlstmBlock = new MlstmBlockConfig(m, numBlocks, mlstmBlock.blockIdx());
        }
        if (slstmBlock != null) {
            SlstmLayerConfig s = slstmBlock.slstm().withStack(embeddingDim, dropout);
            slstmBlock = new SlstmBlockConfig(s, slstmBlock.feedforward(), numBlocks, slstmBlock.blockIdx());
        }
        boolean anySlstm = !slstmAt.isEmpty();
        boolean anyMlstm = new java.util.HashSet<>(slstmAt).size() < numBlocks;
        if (anySlstm && slstmBlock == null) {
            throw new ConfigError("slstm_block", "is required: blocks " + slstmAt
                    + " are sLSTM blocks" + (mlstmBlock == null ? " (no mlstm_block means slstm_at = \"all\")" : ""));
        }
        try {
            if (anyMlstm && mlstmBlock != null) mlstmBlock.mlstm().validateSizes();
        } catch (ConfigError e) {
            throw e.under("mlstm_block.mlstm");
        }
        if (anySlstm) {
            try {
                slstmBlock.slstm().validateSizes();
            } catch (ConfigError e) {
                throw e.under("slstm_block.slstm");
            }
            FeedForwardConfig ff = slstmBlock.feedforward();
            if (ff != null && ff.withEmbeddingDim(embeddingDim).projUpDim() <= 0) {
                throw new ConfigError("slstm_block.feedforward.proj_factor",
                        "gives an up-projection size of " + ff.withEmbeddingDim(embeddingDim).projUpDim());
            }
        }
    }

    /** {@code xLSTMBlockStackConfig()} with every default (one sLSTM-less, mLSTM-less stack is invalid). */
    public static BlockStackConfig of(MlstmBlockConfig mlstm, SlstmBlockConfig slstm, int contextLength, int numBlocks,
                                      int embeddingDim, List<Integer> slstmAt) {
        return new BlockStackConfig(mlstm, slstm, contextLength, numBlocks, embeddingDim, true, false, 0.0, slstmAt);
    }

    /** {@code block_map}: 0 (mLSTM) or 1 (sLSTM) per block index. */
    public List<Integer> blockMap() {
        int[] map = new int[numBlocks];
        for (int i : slstmAt) map[i] = 1;
        return IntStream.of(map).boxed().toList();
    }

    /** {@code _block_map}, e.g. {@code "0,1,0"}. */
    public String blockMapString() {
        return blockMap().stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    public boolean isSlstmBlock(int blockIdx) { return blockMap().get(blockIdx) == 1; }

    /**
     * The fully resolved config of block {@code blockIdx}, as {@code xLSTMBlockStack._create_blocks} and
     * {@code xLSTMBlockConfig.__post_init__} make it: {@code _block_idx = blockIdx}, {@code _num_blocks}, and for
     * sLSTM blocks the feed-forward's {@code embedding_dim} and {@code _num_blocks}.
     */
    public XlstmBlockConfig block(int blockIdx) {
        if (blockIdx < 0 || blockIdx >= numBlocks) {
            throw new IndexOutOfBoundsException("block " + blockIdx + " of " + numBlocks);
        }
        if (isSlstmBlock(blockIdx)) {
            FeedForwardConfig ff = slstmBlock.feedforward();
            if (ff != null) ff = ff.withEmbeddingDim(embeddingDim).withNumBlocks(numBlocks);
            return new SlstmBlockConfig(slstmBlock.slstm(), ff, numBlocks, blockIdx);
        }
        return mlstmBlock.withBlockIdx(blockIdx);
    }

    /** All blocks, resolved ({@link #block(int)} for each index). */
    public List<XlstmBlockConfig> blocks() {
        return IntStream.range(0, numBlocks).mapToObj(this::block).toList();
    }

    public static BlockStackConfig fromJson(JsonNode node) { return parse(ConfigNode.of(node)); }

    /** Reads a JSON or YAML file holding the config dictionary. */
    public static BlockStackConfig load(Path file) { return ConfigFiles.parse(file, BlockStackConfig::fromJson); }

    public static BlockStackConfig parse(ConfigNode c) {
        MlstmBlockConfig m = c.has("mlstm_block") ? MlstmBlockConfig.parse(c.child("mlstm_block")) : null;
        c.accept("mlstm_block");
        SlstmBlockConfig s = c.has("slstm_block") ? SlstmBlockConfig.parse(c.child("slstm_block")) : null;
        c.accept("slstm_block");
        int ctx = c.getInt("context_length", -1);
        int nb = c.getInt("num_blocks", 1);
        int e = c.getInt("embedding_dim", 128);
        boolean post = c.getBool("add_post_blocks_norm", true);
        boolean bias = c.getBool("bias", false);
        double dropout = c.getDouble("dropout", 0.0);
        List<Integer> at = parseSlstmAt(c);
        c.accept("_block_map"); // derived
        c.finish();
        return c.build(() -> new BlockStackConfig(m, s, ctx, nb, e, post, bias, dropout, at));
    }

    static List<Integer> parseSlstmAt(ConfigNode c) {
        JsonNode at = c.raw("slstm_at");
        if (at == null) return List.of();
        if (at.isTextual()) {
            if (at.textValue().equals("all")) return null;
            throw ConfigError.invalid(c.name("slstm_at"), at.textValue(), "a list of block indices or \"all\"");
        }
        return c.getIntList("slstm_at");
    }

    /** The resolved dictionary, as Python's {@code asdict} writes it (compare with a case's {@code resolved_config}). */
    public ObjectNode toJson() {
        ObjectNode o = ConfigNode.object();
        if (mlstmBlock == null) o.putNull("mlstm_block"); else o.set("mlstm_block", mlstmBlock.toJson());
        if (slstmBlock == null) o.putNull("slstm_block"); else o.set("slstm_block", slstmBlock.toJson());
        o.put("context_length", contextLength);
        o.put("num_blocks", numBlocks);
        o.put("embedding_dim", embeddingDim);
        o.put("add_post_blocks_norm", addPostBlocksNorm);
        o.put("bias", bias);
        o.put("dropout", dropout);
        ArrayNode at = o.putArray("slstm_at");
        slstmAt.forEach(at::add);
        o.put("_block_map", blockMapString());
        return o;
    }
}
