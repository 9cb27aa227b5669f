package xlstm.runtime.api;

import java.nio.file.Path;
import xlstm.backends.DType;
import xlstm.runtime.backend.KernelBackend;
import xlstm.runtime.checkpoint.ProgressListener;

/**
 * How a checkpoint is loaded.
 *
 * @param dtype           convert the weights to F32 or BF16 once at load; null keeps them as stored (mapped)
 * @param tokenizer       a {@code tokenizer.json} to use instead of the checkpoint's; null: the checkpoint's, if any
 * @param progress        loading progress in bytes; null for none
 * @param maxPromptTokens the longest prompt one {@link Session#feed} takes (a guard against runaway input)
 * @param backend         where the cell and pointwise kernels run; null: {@code KernelBackends.byDefault()}
 */
public record LoadOptions(DType dtype, Path tokenizer, ProgressListener progress, int maxPromptTokens,
                          KernelBackend backend) {
    /** The default prompt limit: 65,536 tokens. */
    public static final int DEFAULT_MAX_PROMPT_TOKENS = 65_536;

    public LoadOptions {
        if (maxPromptTokens <= 0) throw new xlstm.runtime.UserError("the prompt limit must be positive, got " + maxPromptTokens);
    }

    /** As stored, the checkpoint's tokenizer, no progress. */
    public static LoadOptions defaults() { return new LoadOptions(null, null, null, DEFAULT_MAX_PROMPT_TOKENS, null); }

    public LoadOptions withDtype(DType d) { return new LoadOptions(d, tokenizer, progress, maxPromptTokens, backend); }

    public LoadOptions withTokenizer(Path t) { return new LoadOptions(dtype, t, progress, maxPromptTokens, backend); }

    public LoadOptions withProgress(ProgressListener p) { return new LoadOptions(dtype, tokenizer, p, maxPromptTokens, backend); }

    public LoadOptions withBackend(KernelBackend b) { return new LoadOptions(dtype, tokenizer, progress, maxPromptTokens, b); }

    public LoadOptions withMaxPromptTokens(int n) { return new LoadOptions(dtype, tokenizer, progress, n, backend); }
}
