package xlstm.runtime.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import xlstm.backends.DType;
import xlstm.runtime.UserError;
import xlstm.runtime.config.HfXlstmConfig;
import xlstm.runtime.config.XlstmLargeConfig;
import xlstm.runtime.tensor.Tensor;

/**
 * Checkpoints of random weights with the exact names and shapes of a real one (transformers' xLSTM keys, single
 * weight mode): for tests, benchmarks and the 7B-shaped loading proof ({@code scripts/make-7b-checkpoint.sh}).
 * Tensors are generated chunk by chunk while they are written, so a 27.5 GB checkpoint needs no more memory than
 * a small one; the values depend only on the seed, the tensor name and the position (not on threads or shard
 * sizes). Matrices are uniform with standard deviation {@code 1/sqrt(fan_in)}, norm weights are one, the input
 * gate bias is -10 and the forget gate bias 3..6 over the heads (xLSTM's initialisation).
 */
public final class RandomCheckpoint {
    private RandomCheckpoint() {}

    /** A tensor of the layout. */
    public record Spec(String name, long[] shape, Init init) {
        public long numel() { return Tensor.count(shape); }
    }

    /** How a tensor is filled. */
    public enum Init { MATRIX, ONES, IGATE_BIAS, FGATE_BIAS, ZEROS }

    /**
     * The tensors of an xLSTM Large checkpoint in transformers' naming ({@code backbone.embeddings.weight},
     * single weight mode), in {@code state_dict} order; {@code lm_head.weight} is left out when tied.
     */
    public static List<Spec> layout(XlstmLargeConfig c, boolean tieWordEmbeddings) {
        long e = c.embeddingDim(), nh = c.numHeads(), dqk = c.qkDim(), dv = c.vDim(), p = c.ffnUpProjDim();
        long v = c.vocabSize();
        boolean bias = c.useBias();
        List<Spec> out = new ArrayList<>();
        out.add(new Spec("backbone.embeddings.weight", new long[] {v, e}, Init.MATRIX));
        for (int i = 0; i < c.numBlocks(); i++) {
            String b = "backbone.blocks." + i + ".";
            String l = b + "mlstm_layer.";
            out.add(new Spec(b + "norm_mlstm.weight", new long[] {e}, Init.ONES));
            if (bias) out.add(new Spec(b + "norm_mlstm.bias", new long[] {e}, Init.ZEROS));
            for (String[] qkvo : new String[][] {{"q", "" + dqk}, {"k", "" + dqk}, {"v", "" + dv}, {"ogate_preact", "" + dv}}) {
                long rows = Long.parseLong(qkvo[1]);
                out.add(new Spec(l + qkvo[0] + ".weight", new long[] {rows, e}, Init.MATRIX));
                if (bias) out.add(new Spec(l + qkvo[0] + ".bias", new long[] {rows}, Init.ZEROS));
            }
            out.add(new Spec(l + "igate_preact.weight", new long[] {nh, e}, Init.MATRIX));
            out.add(new Spec(l + "igate_preact.bias", new long[] {nh}, Init.IGATE_BIAS));
            out.add(new Spec(l + "fgate_preact.weight", new long[] {nh, e}, Init.MATRIX));
            out.add(new Spec(l + "fgate_preact.bias", new long[] {nh}, Init.FGATE_BIAS));
            out.add(new Spec(l + "multihead_norm.weight", new long[] {dv}, Init.ONES));
            if (bias) out.add(new Spec(l + "multihead_norm.bias", new long[] {dv}, Init.ZEROS));
            out.add(new Spec(l + "out_proj.weight", new long[] {e, dv}, Init.MATRIX));
            if (bias) out.add(new Spec(l + "out_proj.bias", new long[] {e}, Init.ZEROS));
            out.add(new Spec(b + "norm_ffn.weight", new long[] {e}, Init.ONES));
            if (bias) out.add(new Spec(b + "norm_ffn.bias", new long[] {e}, Init.ZEROS));
            out.add(new Spec(b + "ffn.proj_up_gate.weight", new long[] {p, e}, Init.MATRIX));
            if (bias) out.add(new Spec(b + "ffn.proj_up_gate.bias", new long[] {p}, Init.ZEROS));
            out.add(new Spec(b + "ffn.proj_up.weight", new long[] {p, e}, Init.MATRIX));
            if (bias) out.add(new Spec(b + "ffn.proj_up.bias", new long[] {p}, Init.ZEROS));
            out.add(new Spec(b + "ffn.proj_down.weight", new long[] {e, p}, Init.MATRIX));
            if (bias) out.add(new Spec(b + "ffn.proj_down.bias", new long[] {e}, Init.ZEROS));
        }
        if (c.addOutNorm()) {
            out.add(new Spec("backbone.out_norm.weight", new long[] {e}, Init.ONES));
            if (bias) out.add(new Spec("backbone.out_norm.bias", new long[] {e}, Init.ZEROS));
        }
        if (!tieWordEmbeddings) out.add(new Spec("lm_head.weight", new long[] {v, e}, Init.MATRIX));
        return out;
    }

    /** Parameters of the layout (the 7B configuration has 6,865,424,896). */
    public static long parameterCount(XlstmLargeConfig c, boolean tie) {
        long n = 0;
        for (Spec s : layout(c, tie)) n += s.numel();
        return n;
    }

    /**
     * Writes a checkpoint directory {@code out}: {@code config.json} (the given text, verbatim), the random
     * weights in {@code dtype} (F32 or BF16) split into shards of at most {@code maxShardBytes}, the
     * {@code textFiles} (name → content, e.g. generation_config.json) and copies of {@code extraFiles} (e.g.
     * tokenizer.json).
     */
    public static void write(Path out, String configJson, DType dtype, long seed, long maxShardBytes,
                             java.util.Map<String, String> textFiles, List<Path> extraFiles, boolean overwrite,
                             ProgressListener progress) {
        if (dtype != DType.F32 && dtype != DType.BF16) throw new UserError("--dtype must be f32 or bf16, got " + dtype);
        HfXlstmConfig hf;
        try {
            hf = HfXlstmConfig.fromJson(new ObjectMapper().readTree(configJson));
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new UserError("config.json: not valid JSON: " + e.getOriginalMessage());
        }
        List<ShardWriter.Source> sources = new ArrayList<>();
        for (Spec s : layout(hf.model(), hf.tieWordEmbeddings())) sources.add(new Random(s, dtype, seed));
        for (Path f : extraFiles) {
            if (!Files.isRegularFile(f)) throw new UserError(f + ": no such file");
        }
        CheckpointWriter.write(out, sources, maxShardBytes, overwrite, dir -> {
            Files.writeString(dir.resolve("config.json"), configJson);
            for (var e : textFiles.entrySet()) Files.writeString(dir.resolve(e.getKey()), e.getValue());
            for (Path f : extraFiles) Files.copy(f, dir.resolve(f.getFileName().toString()));
        }, "writing random weights", progress);
    }

    /** A config.json tree for {@code cfg} as transformers writes it. */
    public static ObjectNode configJson(HfXlstmConfig cfg) { return cfg.toJson(); }

    private record Random(Spec spec, DType dtype, long seed) implements ShardWriter.Source {
        private static final int PIECE = 1 << 16;

        @Override public String name() { return spec.name(); }

        @Override public long[] shape() { return spec.shape().clone(); }

        @Override
        public void fill(long from, long count, MemorySegment out) {
            long[] shape = spec.shape();
            double fanIn = shape.length == 2 ? shape[1] : 1;
            float a = (float) (Math.sqrt(3.0 / fanIn)); // uniform(-a, a) has std 1/sqrt(fan_in)
            long nameSeed = seed * 0x9E3779B97F4A7C15L + spec.name().hashCode();
            int pieces = (int) ((count + PIECE - 1) / PIECE);
            IntStream.range(0, pieces).parallel().forEach(pc -> {
                long lo = (long) pc * PIECE, hi = Math.min(count, lo + PIECE);
                // one generator per 64 Ki elements of the tensor: independent of chunking and threads
                SplittableRandom rnd = new SplittableRandom(nameSeed ^ ((from + lo) / PIECE) * 0xBF58476D1CE4E5B9L);
                for (long i = lo; i < hi; i++) {
                    long idx = from + i;
                    float v = switch (spec.init()) {
                        case MATRIX -> (float) ((rnd.nextDouble() * 2 - 1) * a);
                        case ONES -> 1f;
                        case ZEROS -> 0f;
                        case IGATE_BIAS -> -10f;
                        case FGATE_BIAS -> 3f + 3f * idx / Math.max(1, spec.numel() - 1);
                    };
                    if (dtype == DType.F32) out.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, v);
                    else out.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, DType.toBf16(v));
                }
            });
        }
    }
}
