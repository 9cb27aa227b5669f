package xlstm.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import xlstm.backends.DType;
import xlstm.runtime.UserError;
import xlstm.runtime.api.Completion;
import xlstm.runtime.api.GenerateOptions;
import xlstm.runtime.api.LoadOptions;
import xlstm.runtime.api.Session;
import xlstm.runtime.api.StreamListener;
import xlstm.runtime.api.XlstmModel;
import xlstm.runtime.backend.KernelBackends;
import xlstm.runtime.generation.SamplingParams;
import xlstm.runtime.tokenizer.Utf8;

/**
 * {@code xlstm generate}: text (or token ids) in, text (or token ids) out, streamed as it is produced; sampling
 * options as llama.cpp names them; several prompts as one batch; an interactive mode that keeps the recurrent
 * state between turns.
 */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Generate text with a checkpoint folder (streamed; batch; interactive).", "",
                "The folder is laid out as Hugging Face saves xLSTM 7B: config.json, model.safetensors or a sharded",
                "index, generation_config.json, tokenizer.json. The new text is streamed to stdout as it is produced;",
                "speed (time to first token, tokens/s) goes to stderr. Several --prompt options run as one batch.",
                "With --prompt-ids: token ids in, the new ids out (comma-separated)."},
        footer = {"", "Examples:",
                "  xlstm generate --model DIR --prompt \"The capital of France is\" -n 32",
                "  xlstm generate --model DIR --prompt \"Once upon a time\" --temperature 0.8 --top-p 0.95 --seed 7",
                "  xlstm generate --model DIR --prompt \"a\" --prompt \"b\"            (a batch of two)",
                "  xlstm generate --model DIR --interactive                         (state kept between turns)",
                "  xlstm generate --model ../shared/golden/hf_xlstm_small/hf --prompt-ids 1,2,3 -n 20"})
final class GenerateCommand implements Callable<Integer> {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "DIR", description = "Checkpoint folder.")
    Path model;

    @Option(names = {"-p", "--prompt"}, paramLabel = "TEXT",
            description = "Prompt text (UTF-8). Repeat for a batch of prompts.")
    List<String> prompts = new ArrayList<>();

    @Option(names = {"-f", "--prompt-file"}, paramLabel = "FILE",
            description = "Read a prompt from a UTF-8 file ('-' for stdin). Repeatable.")
    List<Path> promptFiles = new ArrayList<>();

    @Option(names = "--prompt-ids", paramLabel = "IDS",
            description = "Prompt as token ids, comma-separated (e.g. 1,2,3); prints the new ids. Repeatable.")
    List<String> promptIds = new ArrayList<>();

    @Option(names = {"-n", "--max-new-tokens"}, paramLabel = "N",
            description = "Tokens to generate at most (default: max_new_tokens of generation_config.json, else 32).")
    Integer maxNewTokens;

    @Option(names = "--temperature", paramLabel = "T",
            description = "Sampling temperature; 0 = greedy (default: the checkpoint's generation config, else 0).")
    Double temperature;

    @Option(names = "--top-k", paramLabel = "K", description = "Keep the K most likely tokens; 0 = all.")
    Integer topK;

    @Option(names = "--top-p", paramLabel = "P", description = "Nucleus sampling: keep tokens up to probability P, in (0, 1].")
    Double topP;

    @Option(names = "--repetition-penalty", paramLabel = "R",
            description = "Penalise tokens already in the sequence (> 0; 1 = none; 1.1 is common).")
    Double repetitionPenalty;

    @Option(names = "--seed", paramLabel = "S", description = "Random seed (the same seed gives the same text).")
    Long seed;

    @Option(names = "--stop", paramLabel = "TEXT", description = "Stop when this text appears (not printed). Repeatable.")
    List<String> stop = new ArrayList<>();

    @Option(names = "--ignore-eos", description = "Do not stop at the checkpoint's end-of-sequence token.")
    boolean ignoreEos;

    @Option(names = "--echo", description = "Print the prompt before the generated text.")
    boolean echo;

    @Option(names = {"-i", "--interactive"},
            description = "Read turns from stdin, one a line; the recurrent state is kept between turns.")
    boolean interactive;

    @Option(names = "--dtype", paramLabel = "f32|bf16",
            description = "Convert the weights to this dtype when loading (default: as stored, memory-mapped).")
    String dtype;

    @Option(names = "--tokenizer", paramLabel = "FILE", description = "tokenizer.json to use instead of the checkpoint's.")
    Path tokenizer;

    @Option(names = "--max-prompt-tokens", paramLabel = "N", defaultValue = "" + LoadOptions.DEFAULT_MAX_PROMPT_TOKENS,
            description = "Reject prompts longer than this (default: ${DEFAULT-VALUE}).")
    int maxPromptTokens;

    @Option(names = "--progress", negatable = true,
            description = "Show a progress bar while loading (default: when stderr is a terminal).")
    Boolean progress;

    @Option(names = "--backend", defaultValue = Backends.DEFAULT, paramLabel = "NAME", description = Backends.HELP)
    String backend;

    @Spec CommandSpec spec;

    private PrintWriter out, err;
    private final Map<String, Long> phases = new LinkedHashMap<>();

    @Override
    public Integer call() {
        out = spec.commandLine().getOut();
        err = spec.commandLine().getErr();
        long start = System.nanoTime();
        checkOptions();
        List<String> texts = readTextPrompts();
        List<long[]> idPrompts = new ArrayList<>();
        for (String s : promptIds) idPrompts.add(parseIds(s));
        if (texts.isEmpty() && idPrompts.isEmpty() && !interactive) {
            throw new UserError("give a prompt: --prompt TEXT, --prompt-file FILE or --prompt-ids IDS (or --interactive)");
        }
        if (!texts.isEmpty() && !idPrompts.isEmpty()) {
            throw new UserError("give text prompts (--prompt, --prompt-file) or --prompt-ids, not both");
        }
        if (interactive && texts.size() + idPrompts.size() > 1) {
            throw new UserError("--interactive takes at most one first prompt, got " + (texts.size() + idPrompts.size()));
        }
        if (interactive && !idPrompts.isEmpty()) throw new UserError("--interactive works with text, not --prompt-ids");
        DType weights = switch (dtype == null ? "" : dtype.toLowerCase(Locale.ROOT)) {
            case "" -> null;
            case "f32", "float32" -> DType.F32;
            case "bf16", "bfloat16" -> DType.BF16;
            default -> throw new UserError("--dtype must be f32 or bf16, got '" + dtype + "'");
        };
        if (!Files.isDirectory(model)) {
            throw new UserError(model + (Files.exists(model) ? ": not a directory" : ": no such directory")
                    + " (--model takes a checkpoint folder with config.json and model.safetensors)");
        }
        KernelBackends.Choice choice = KernelBackends.choose(backend);
        LoadOptions lo = LoadOptions.defaults().withDtype(weights).withTokenizer(tokenizer)
                .withProgress(ProgressBar.of(err, progress)).withMaxPromptTokens(maxPromptTokens)
                .withBackend(choice.backend());
        try (XlstmModel lm = XlstmModel.load(model, lo)) {
            phases.putAll(lm.loadPhases());
            if ((!texts.isEmpty() || interactive) && lm.tokenizer() == null) {
                throw new UserError(model + ": no tokenizer.json in this checkpoint, so no text prompts (give one with"
                        + " --tokenizer FILE, or pass token ids with --prompt-ids)");
            }
            if (!stop.isEmpty() && lm.tokenizer() == null) {
                throw new UserError("--stop needs a tokenizer (" + model + " has no tokenizer.json)");
            }
            long t = System.nanoTime();
            List<long[]> ids = new ArrayList<>();
            for (String s : texts) ids.add(lm.encodePrompt(s));
            for (long[] p : idPrompts) ids.add(lm.generationConfig().applyBos(p));
            for (long[] p : ids) {
                if (p.length > maxPromptTokens) {
                    throw new UserError("the prompt has " + p.length + " tokens, more than --max-prompt-tokens "
                            + maxPromptTokens);
                }
            }
            phases.put("tokenize", System.nanoTime() - t);
            int n = maxNewTokens != null ? maxNewTokens
                    : lm.generationConfig().maxNewTokens() != null ? lm.generationConfig().maxNewTokens() : 32;
            long s = seed != null ? seed : System.nanoTime() ^ 0x5DEECE66DL;
            SamplingParams sp = lm.defaultSampling(temperature, topK, topP, repetitionPenalty, s);
            GenerateOptions go = new GenerateOptions(n, sp, stop, !ignoreEos);
            if (verbose()) {
                err.println(choice.describe());
                err.println(String.format(Locale.ROOT, "sampling: %s, temperature %s, top-k %d, top-p %s,"
                                + " repetition penalty %s, seed %d; max %d new tokens", sp.greedy() ? "greedy" : "random",
                        sp.temperature(), sp.topK(), sp.topP(), sp.repetitionPenalty(), sp.seed(), n));
            }
            if (interactive) {
                interactive(lm, texts.isEmpty() ? null : texts.get(0), go);
            } else if (ids.size() == 1) {
                single(lm, ids.get(0), texts.isEmpty() ? null : texts.get(0), go);
            } else {
                batch(lm, ids, texts, go);
            }
            phases.put("total", System.nanoTime() - start);
            if (verbose()) printPhases();
        }
        return 0;
    }

    private void checkOptions() {
        if (maxNewTokens != null && maxNewTokens < 0) {
            throw new UserError("-n/--max-new-tokens must be >= 0, got " + maxNewTokens);
        }
        if (temperature != null && !(temperature >= 0 && !temperature.isInfinite())) {
            throw new UserError("--temperature must be >= 0 (0 = greedy), got " + temperature);
        }
        if (topK != null && topK < 0) throw new UserError("--top-k must be >= 0 (0 = all tokens), got " + topK);
        if (topP != null && !(topP > 0 && topP <= 1)) {
            throw new UserError("--top-p must be in (0, 1] (1 = all tokens), got " + topP);
        }
        if (repetitionPenalty != null && !(repetitionPenalty > 0 && !repetitionPenalty.isInfinite())) {
            throw new UserError("--repetition-penalty must be > 0 (1 = none), got " + repetitionPenalty);
        }
        if (maxPromptTokens <= 0) throw new UserError("--max-prompt-tokens must be positive, got " + maxPromptTokens);
        for (String s : stop) {
            if (s.isEmpty()) throw new UserError("--stop: an empty stop string would stop at once");
            Utf8.check(s, "--stop", true);
        }
    }

    private List<String> readTextPrompts() {
        List<String> out = new ArrayList<>();
        for (String p : prompts) out.add(Utf8.check(p, "--prompt", true));
        for (Path f : promptFiles) {
            byte[] bytes;
            try {
                bytes = f.toString().equals("-") ? Main.input().readAllBytes() : Files.readAllBytes(f);
            } catch (NoSuchFileException e) {
                throw new UserError("--prompt-file " + f + ": no such file");
            } catch (IOException e) {
                throw new UserError("--prompt-file " + f + ": cannot read (" + e.getMessage() + ")", e);
            }
            out.add(Utf8.decode(bytes, "--prompt-file " + f));
        }
        return out;
    }

    // ------------------------------------------------------------------ the three modes

    private void single(XlstmModel lm, long[] prompt, String text, GenerateOptions go) {
        boolean ids = text == null;
        if (echo && !ids) {
            out.print(text);
            out.flush();
        }
        Completion c = lm.generate(prompt, go, ids ? StreamListener.NONE : streamTo(out));
        if (ids) out.println(join(c.tokens()));
        else out.println();
        out.flush();
        phases.put("prefill", c.prefillNanos());
        phases.put("first token", c.firstTokenNanos());
        phases.put("decode", c.totalNanos() - c.firstTokenNanos());
        err.println(String.format(Locale.ROOT, "loaded in %.2f s; ", lm.loadNanos() / 1e9) + c.summary());
    }

    private void batch(XlstmModel lm, List<long[]> prompts, List<String> texts, GenerateOptions go) {
        long t = System.nanoTime();
        List<Completion> cs = lm.generateBatch(prompts, go, StreamListener.NONE);
        long all = System.nanoTime() - t;
        long newTokens = 0;
        for (int r = 0; r < cs.size(); r++) {
            Completion c = cs.get(r);
            newTokens += c.tokens().length;
            if (texts.isEmpty()) {
                out.println(join(c.tokens()));
            } else {
                out.println("--- [" + (r + 1) + "] ---");
                out.println((echo ? texts.get(r) : "") + c.text());
            }
            err.println("[" + (r + 1) + "] " + c.summary());
        }
        out.flush();
        phases.put("batch", all);
        err.println(String.format(Locale.ROOT, "loaded in %.2f s; batch of %d: %d new tokens in %.2f s (%.2f tokens/s)",
                lm.loadNanos() / 1e9, cs.size(), newTokens, all / 1e9, all > 0 ? newTokens / (all / 1e9) : 0));
    }

    private void interactive(XlstmModel lm, String first, GenerateOptions go) {
        err.println("interactive: type text and press Enter; the model continues it. The recurrent state is kept,"
                + " so each turn feeds only its own tokens. An empty line continues; /reset starts over; /quit or"
                + " end of input ends.");
        err.flush();
        Session s = lm.newSession();
        int turn = 0;
        InputStream in = Main.input();
        String line = first;
        while (true) {
            if (line == null) {
                err.print("> ");
                err.flush();
                byte[] raw = readLine(in);
                if (raw == null) break;
                try {
                    line = Utf8.decode(raw, "input line");
                } catch (UserError e) {
                    err.println(e.getMessage());
                    continue;
                }
            }
            String cmd = line.strip();
            if (cmd.equals("/quit") || cmd.equals("/exit")) break;
            if (cmd.equals("/reset")) {
                s.reset();
                turn = 0;
                err.println("(state reset: a new conversation)");
                line = null;
                continue;
            }
            turn++;
            Completion c;
            try {
                if (line.isEmpty() && !s.isEmpty()) {
                    c = s.generate(go, streamTo(out));
                } else {
                    String text = s.isEmpty() ? line : "\n" + line;
                    c = s.complete(text, go, streamTo(out));
                }
            } catch (UserError e) {
                err.println(e.getMessage());
                line = null;
                continue;
            }
            out.println();
            out.flush();
            err.println(String.format(Locale.ROOT, "[turn %d] fed %d new tokens in %.3f s; first token after %.3f s;"
                            + " %d tokens in %.2f s (%.2f tokens/s); the state now holds %d tokens (nothing re-fed)",
                    turn, c.promptTokens(), c.prefillNanos() / 1e9, c.firstTokenNanos() / 1e9, c.tokens().length,
                    c.totalNanos() / 1e9, c.decodeTokensPerSecond(), s.tokens()));
            err.flush();
            line = null;
        }
    }

    /** One line of raw bytes without the line break; null at the end of input. */
    private static byte[] readLine(InputStream in) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try {
            int c;
            while ((c = in.read()) >= 0 && c != '\n') b.write(c);
            if (c < 0 && b.size() == 0) return null;
        } catch (IOException e) {
            return null;
        }
        byte[] r = b.toByteArray();
        if (r.length > 0 && r[r.length - 1] == '\r') r = java.util.Arrays.copyOf(r, r.length - 1);
        return r;
    }

    private static StreamListener streamTo(PrintWriter out) {
        return new StreamListener() {
            @Override public void onText(int row, String piece) {
                out.print(piece);
                out.flush();
            }
        };
    }

    private boolean verbose() {
        return ErrorReporter.verbose(spec.root().commandLine().getParseResult());
    }

    private void printPhases() {
        StringBuilder sb = new StringBuilder("timings:");
        for (Map.Entry<String, Long> e : phases.entrySet()) {
            sb.append(String.format(Locale.ROOT, " %s %.3f s;", e.getKey(), e.getValue() / 1e9));
        }
        String rss = Sizes.rss();
        if (!rss.isEmpty()) sb.append(' ').append(rss);
        err.println(sb);
    }

    private static String join(long[] ids) {
        return LongStream.of(ids).mapToObj(Long::toString).collect(Collectors.joining(","));
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
