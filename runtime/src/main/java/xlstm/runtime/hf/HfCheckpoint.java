package xlstm.runtime.hf;

import java.nio.file.Files;
import java.nio.file.Path;
import xlstm.backends.DType;
import xlstm.runtime.UserError;
import xlstm.runtime.backend.CudaKernels;
import xlstm.runtime.backend.KernelBackend;
import xlstm.runtime.backend.KernelBackends;
import xlstm.runtime.config.HfXlstmConfig;
import xlstm.runtime.config.XlstmLargeConfig;
import xlstm.runtime.io.WeightStore;
import xlstm.runtime.model.XlstmLarge;

/**
 * An xLSTM Large checkpoint directory: a Hugging Face one ({@code config.json} of {@code model_type "xlstm"}
 * with {@code model.safetensors}, or shards listed in {@code model.safetensors.index.json}), as
 * {@code save_pretrained} writes it and NX-AI/xLSTM-7b ships it; or the xlstm repository's own layout
 * ({@code config.yaml} of {@code xLSTMLargeConfig} fields with {@code model.safetensors} or
 * {@code model_0.safetensors, model_1.safetensors, ...}).
 */
public final class HfCheckpoint {
    /**
     * Where the weights live: {@code anon} (the default on the CPU), copied out of the file mapping into ordinary
     * memory: on the 16-core Xeon of the GPU machine a 125M (350M) float32 decode step ran 1.67x (1.33x) faster so than
     * from the mapping (median of 3 each, 2026-11-28); {@code mmap} (the default when the cell kernels are on the GPU,
     * which uploads them anyway), read from the file mapping (page cache); {@code huge}, copied to 2 MiB pages where the
     * OS gives them.
     */
    public static final String COPY_PROPERTY = "xlstm.weights.copy";

    private HfCheckpoint() {}

    /**
     * Loads the model in {@code dir}. {@code weightsDtype} converts the floating-point weights (F32 or BF16)
     * once at load; null keeps them as stored (compute is float32 either way).
     */
    public static XlstmLarge load(Path dir, DType weightsDtype) {
        return load(dir, weightsDtype, KernelBackends.byDefault());
    }

    /** As {@link #load(Path, DType)}, with the cell and pointwise kernels on {@code backend}. */
    public static XlstmLarge load(Path dir, DType weightsDtype, KernelBackend backend) {
        if (dir == null || !Files.isDirectory(dir)) throw new UserError(dir + ": not a checkpoint directory");
        if (weightsDtype != null && weightsDtype != DType.F32 && weightsDtype != DType.BF16) {
            throw new UserError("weights dtype " + weightsDtype + " is not supported (F32 or BF16)");
        }
        XlstmLargeConfig cfg;
        boolean tie = false;
        if (Files.isRegularFile(dir.resolve("config.json"))) {
            HfXlstmConfig hf = HfXlstmConfig.load(dir.resolve("config.json"));
            cfg = hf.model();
            tie = hf.tieWordEmbeddings();
        } else if (Files.isRegularFile(dir.resolve("config.yaml"))) {
            cfg = XlstmLargeConfig.load(dir.resolve("config.yaml"));
        } else {
            throw new UserError(dir + ": no config.json (Hugging Face) or config.yaml (xlstm) in this directory");
        }
        WeightStore w = WeightStore.open(dir);
        // the weight mode follows the stored names (xlstm's from_pretrained always builds "single")
        String mode = w.contains("backbone.blocks.0.mlstm_layer.qkv_opreact.weight") ? "fused" : "single";
        if (!mode.equals(cfg.weightMode())) cfg = cfg.withWeightMode(mode);
        if (weightsDtype != null) w = w.converting(weightsDtype);
        String copy = System.getProperty(COPY_PROPERTY, backend instanceof CudaKernels ? "mmap" : "anon");
        switch (copy) {
            case "mmap" -> { }
            case "huge" -> w = w.copying(true);
            case "anon" -> w = w.copying(false);
            default -> throw new UserError("-D" + COPY_PROPERTY + " must be anon, mmap or huge, got '" + copy + "'");
        }
        return XlstmLarge.load(cfg, w, tie, backend);
    }
}
