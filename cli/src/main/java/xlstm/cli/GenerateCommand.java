package xlstm.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import xlstm.backends.DType;
import xlstm.runtime.UserError;
import xlstm.runtime.hf.HfCheckpoint;
import xlstm.runtime.model.XlstmLarge;

/** {@code xlstm generate}: greedy decoding of token ids with an xLSTM Large checkpoint folder. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = {"Greedy generation from a checkpoint folder as Hugging Face saves xLSTM 7B",
                "(config.json + model.safetensors or a sharded index). Prints the new token ids, comma-separated;",
                "timing goes to stderr. (Text in and out comes with the tokenizer.)"},
        footer = {"", "Example: xlstm generate --model ../shared/golden/hf_xlstm_small/hf --prompt-ids 1,2,3 -n 20"})
final class GenerateCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "DIR", description = "Checkpoint folder.")
    Path model;

    @Option(names = {"-p", "--prompt-ids"}, required = true, paramLabel = "IDS",
            description = "Prompt token ids, comma-separated (e.g. 1,2,3).")
    String promptIds;

    @Option(names = {"-n", "--max-new-tokens"}, defaultValue = "20", paramLabel = "N",
            description = "How many tokens to generate (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--dtype", paramLabel = "f32|bf16",
            description = "Convert the weights to this dtype when loading (default: as stored).")
    String dtype;

    @Option(names = "--backend", defaultValue = "cpu", paramLabel = "NAME",
            description = "Backend to run on (default: ${DEFAULT-VALUE}; see 'xlstm devices').")
    String backend;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        Backends.require(backend);
        long[] prompt = parseIds(promptIds);
        if (maxNewTokens < 0) throw new UserError("-n/--max-new-tokens must be >= 0, got " + maxNewTokens);
        if (!Files.isDirectory(model)) {
            throw new UserError(model + (Files.exists(model) ? ": not a directory" : ": no such directory")
                    + " (--model takes a checkpoint folder with config.json and model.safetensors)");
        }
        DType weights = switch (dtype == null ? "" : dtype.toLowerCase(Locale.ROOT)) {
            case "" -> null;
            case "f32", "float32" -> DType.F32;
            case "bf16", "bfloat16" -> DType.BF16;
            default -> throw new UserError("--dtype must be f32 or bf16, got '" + dtype + "'");
        };

        long t0 = System.nanoTime();
        XlstmLarge lm = HfCheckpoint.load(model, weights);
        int vocab = lm.config().vocabSize();
        for (int j = 0; j < prompt.length; j++) {
            if (prompt[j] >= vocab) {
                throw new UserError("--prompt-ids: token id " + prompt[j] + " (position " + (j + 1)
                        + ") is outside the vocabulary of " + model + " (vocab_size " + vocab + ", ids 0.." + (vocab - 1) + ")");
            }
        }
        long t1 = System.nanoTime();
        long[] generated = lm.generateGreedy(new long[][] {prompt}, maxNewTokens)[0];
        long t2 = System.nanoTime();

        PrintWriter out = spec.commandLine().getOut();
        out.println(LongStream.of(generated).mapToObj(Long::toString).collect(Collectors.joining(",")));
        out.flush();
        double gen = (t2 - t1) / 1e9;
        spec.commandLine().getErr().printf(Locale.ROOT, "loaded in %.2f s; %d prompt + %d new tokens in %.2f s (%.1f tokens/s)%n",
                (t1 - t0) / 1e9, prompt.length, generated.length, gen, gen > 0 ? generated.length / gen : 0);
        return 0;
    }

    /** "1,2, 3" → [1, 2, 3]; anything else is a user error naming the bad item. */
    static long[] parseIds(String text) {
        if (text.isBlank()) throw new UserError("--prompt-ids is empty; expected comma-separated token ids like 1,2,3");
        List<Long> ids = new ArrayList<>();
        String[] items = text.split(",", -1);
        for (int j = 0; j < items.length; j++) {
            String item = items[j].strip();
            long id;
            try {
                id = Long.parseLong(item);
            } catch (NumberFormatException e) {
                throw new UserError("--prompt-ids: '" + item + "' (item " + (j + 1) + ") is not a token id; expected"
                        + " comma-separated non-negative integers like 1,2,3");
            }
            if (id < 0) throw new UserError("--prompt-ids: token id " + id + " (item " + (j + 1) + ") is negative");
            ids.add(id);
        }
        return ids.stream().mapToLong(Long::longValue).toArray();
    }
}
