package xlstm.runtime.checkpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import xlstm.backends.DType;
import xlstm.runtime.UserError;
import xlstm.runtime.backend.KernelBackend;
import xlstm.runtime.config.HfXlstmConfig;
import xlstm.runtime.config.XlstmLargeConfig;
import xlstm.runtime.generation.GenerationConfig;
import xlstm.runtime.io.WeightStore;
import xlstm.runtime.model.XlstmLarge;
import xlstm.runtime.tensor.Tensor;
import xlstm.runtime.tokenizer.Tokenizer;

/**
 * A checkpoint directory as users have it: Hugging Face's layout ({@code config.json}, {@code model.safetensors}
 * or shards listed in {@code model.safetensors.index.json}, {@code generation_config.json}, {@code tokenizer.json})
 * as NX-AI/xLSTM-7b ships it, or the xlstm repository's ({@code config.yaml} with {@code model.safetensors} or
 * {@code model_0.safetensors, ...}). Opening reads the small files only; {@link #loadModel} maps every weight file
 * (no copy on the Java heap) and, when asked, converts the weights to bf16 or float32 once, reporting progress.
 */
public final class Checkpoint {
    private final Path dir;
    private final XlstmLargeConfig config;
    private final HfXlstmConfig hf;
    private final GenerationConfig generation;

    private Checkpoint(Path dir, XlstmLargeConfig config, HfXlstmConfig hf, GenerationConfig generation) {
        this.dir = dir;
        this.config = config;
        this.hf = hf;
        this.generation = generation;
    }

    /** Reads the configs of the checkpoint in {@code dir}; {@link UserError}s name the file at fault. */
    public static Checkpoint open(Path dir) {
        if (dir == null || !Files.isDirectory(dir)) {
            throw new UserError(dir + (dir != null && Files.exists(dir) ? ": not a directory" : ": no such directory")
                    + " (a checkpoint is a folder with config.json and model.safetensors or a sharded index)");
        }
        if (Files.isRegularFile(dir.resolve("config.json"))) {
            HfXlstmConfig hf = HfXlstmConfig.load(dir.resolve("config.json"));
            GenerationConfig g = GenerationConfig.of(hf.bosTokenId(), hf.eosTokenIds(), hf.padTokenId(),
                    hf.forceBosTokenInsert()).withFileIn(dir);
            return new Checkpoint(dir, hf.model(), hf, g);
        }
        if (Files.isRegularFile(dir.resolve("config.yaml"))) {
            XlstmLargeConfig cfg = XlstmLargeConfig.load(dir.resolve("config.yaml"));
            // the reference's generate() defaults: BOS 0, no EOS stop
            GenerationConfig g = GenerationConfig.of(0, java.util.List.of(), null, false).withFileIn(dir);
            return new Checkpoint(dir, cfg, null, g);
        }
        throw new UserError(dir + ": no config.json (Hugging Face) or config.yaml (xlstm) in this directory");
    }

    public Path dir() { return dir; }

    /** The architecture. */
    public XlstmLargeConfig config() { return config; }

    /** The Hugging Face config, or null for the xlstm repository's {@code config.yaml} layout. */
    public HfXlstmConfig hfConfig() { return hf; }

    /** BOS/EOS/pad ids, the BOS rule and the sampling defaults. */
    public GenerationConfig generation() { return generation; }

    /** Prompts longer than this are fed in slices with the state carried ({@code max_inference_chunksize}). */
    public int maxInferenceChunk() { return hf == null ? 16384 : hf.maxInferenceChunksize(); }

    /** {@code tokenizer.json} of the checkpoint, or null when there is none. */
    public Path tokenizerFile() {
        Path t = dir.resolve(Tokenizer.FILE_NAME);
        return Files.isRegularFile(t) ? t : null;
    }

    /** Opens (maps) the weight files, validating every header and the index. */
    public WeightStore openWeights() { return WeightStore.open(dir); }

    /**
     * Builds the model. Every weight file is memory-mapped; {@code dtype} null keeps the weights as stored (views
     * of the mapping), F32 or BF16 converts the floating-point ones once (the mapped pages of a converted tensor
     * are released right after). {@code progress} sees the bytes of the stored tensors as they are taken.
     */
    public XlstmLarge loadModel(DType dtype, ProgressListener progress) { return loadModel(dtype, progress, null); }

    /** As {@link #loadModel(DType, ProgressListener)}, with the kernels on {@code backend} (null: the default). */
    public XlstmLarge loadModel(DType dtype, ProgressListener progress, KernelBackend backend) {
        if (dtype != null && dtype != DType.F32 && dtype != DType.BF16) {
            throw new UserError("weights dtype " + dtype + " is not supported (f32 or bf16)");
        }
        ProgressListener p = progress == null ? ProgressListener.NONE : progress;
        WeightStore stored = openWeights();
        long total = 0;
        for (String n : stored.names()) total += bytes(stored, n);
        XlstmLargeConfig cfg = config;
        String mode = stored.contains("backbone.blocks.0.mlstm_layer.qkv_opreact.weight") ? "fused" : "single";
        if (!mode.equals(cfg.weightMode())) cfg = cfg.withWeightMode(mode);
        String phase = dtype == null ? "loading" : "loading (to " + dtype.safetensorsName().toLowerCase() + ")";
        AtomicLong done = new AtomicLong();
        long all = total;
        p.update(phase, 0, all);
        WeightStore w = dtype == null ? stored : stored.converting(dtype);
        w = w.observing((name, t) -> p.update(phase, done.addAndGet(bytes(stored, name)), all));
        try {
            boolean tie = hf != null && hf.tieWordEmbeddings();
            XlstmLarge model = backend == null ? XlstmLarge.load(cfg, w, tie) : XlstmLarge.load(cfg, w, tie, backend);
            p.update(phase, all, all);
            return model;
        } catch (OutOfMemoryError e) {
            throw new UserError(dir + ": not enough memory for the " + (dtype == null ? "" : dtype + " ")
                    + "weights (" + e.getMessage() + "); the JVM's limit for native memory is"
                    + " -XX:MaxDirectMemorySize (./xlstm sets it; set it when embedding)", e);
        }
    }

    private static long bytes(WeightStore w, String name) {
        long[] shape = w.shapeOf(name);
        DType d = w.dtypeOf(name);
        return shape == null || d == null ? 0 : Tensor.count(shape) * d.byteSize();
    }
}
