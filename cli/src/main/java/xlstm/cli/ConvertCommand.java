package xlstm.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import xlstm.backends.DType;
import xlstm.runtime.UserError;
import xlstm.runtime.checkpoint.CheckpointConverter;
import xlstm.runtime.checkpoint.CheckpointWriter;

/** {@code xlstm convert --dtype bf16 IN OUT}: a checkpoint directory with its weights in another dtype. */
@Command(name = "convert", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Convert a checkpoint folder's weights to another dtype (fp32 -> bf16).", "",
                "Writes a copy of checkpoint folder IN with its floating-point weights converted (e.g. fp32 -> bf16,",
                "half the size), sharded as transformers does, to the new folder OUT. The input is memory-mapped and",
                "converted in chunks, so memory use stays small; OUT appears only when complete (atomic)."},
        footer = {"", "Example: xlstm convert --dtype bf16 xlstm-7b xlstm-7b-bf16"})
final class ConvertCommand implements Callable<Integer> {
    @Option(names = "--dtype", required = true, paramLabel = "f32|bf16", description = "Target dtype of the weights.")
    String dtype;

    @Option(names = "--max-shard-size", defaultValue = "5GB", paramLabel = "SIZE",
            description = "Largest shard file (default: ${DEFAULT-VALUE}, as transformers; e.g. 2GB, 500MB).")
    String maxShardSize;

    @Option(names = "--force", description = "Replace OUT if it exists (still atomically).")
    boolean force;

    @Option(names = "--progress", negatable = true,
            description = "Show a progress bar (default: when stderr is a terminal).")
    Boolean progress;

    @Parameters(index = "0", paramLabel = "IN", description = "Checkpoint folder to read.")
    Path in;

    @Parameters(index = "1", paramLabel = "OUT", description = "Folder to write (must not exist, unless --force).")
    Path out;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        DType target = switch (dtype.toLowerCase(Locale.ROOT)) {
            case "f32", "float32" -> DType.F32;
            case "bf16", "bfloat16" -> DType.BF16;
            default -> throw new UserError("--dtype must be f32 or bf16, got '" + dtype + "'");
        };
        long max = Sizes.parse(maxShardSize, "--max-shard-size");
        long t0 = System.nanoTime();
        CheckpointConverter.convert(in, out, target, max, force, ProgressBar.of(spec.commandLine().getErr(), progress));
        double s = (System.nanoTime() - t0) / 1e9;
        spec.commandLine().getErr().println(String.format(Locale.ROOT, "converted %s -> %s (%s) in %.1f s", in, out,
                target.safetensorsName().toLowerCase(Locale.ROOT), s));
        return 0;
    }

    static long defaultShardBytes() { return CheckpointWriter.DEFAULT_MAX_SHARD_BYTES; }
}
