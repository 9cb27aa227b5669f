package xlstm.runtime.api;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import xlstm.backends.DType;
import xlstm.runtime.UserError;
import xlstm.runtime.backend.CudaKernels;
import xlstm.runtime.checkpoint.Checkpoint;
import xlstm.runtime.cuda.DeviceLarge;
import xlstm.runtime.cuda.DeviceLargeState;
import xlstm.runtime.cuda.DecodePipeline;
import xlstm.runtime.generation.GenerationConfig;
import xlstm.runtime.generation.Sampler;
import xlstm.runtime.generation.SamplingParams;
import xlstm.runtime.model.LargeState;
import xlstm.runtime.model.XlstmLarge;
import xlstm.runtime.tensor.Tensor;
import xlstm.runtime.tokenizer.Tokenizer;

/**
 * An xLSTM language model ready for text generation: the weights of a checkpoint directory, its tokenizer and
 * its generation config. The entry point of the library API:
 *
 * <pre>{@code
 * try (XlstmModel lm = XlstmModel.load(Path.of("xlstm-7b"))) {
 *     Session chat = lm.newSession();
 *     Completion c = chat.complete("The capital of France is",
 *             GenerateOptions.sampling(32, new SamplingParams(0.7, 40, 0.95, 1.1, 42)),
 *             StreamListener.text(System.out::print));
 *     System.out.println("\n" + c.summary());
 *     chat.complete(" And of Italy?", GenerateOptions.greedy(16), StreamListener.text(System.out::print));
 * }
 * }</pre>
 *
 * <p>A model is immutable after loading and can serve several {@link Session}s (each with its own recurrent
 * state); one session is used by one thread at a time. Weights stay memory-mapped unless a dtype conversion was
 * asked for ({@link LoadOptions#dtype()}).
 */
public final class XlstmModel implements AutoCloseable {
    private final Checkpoint checkpoint;
    private final XlstmLarge model;
    private final Tokenizer tokenizer;
    private final LoadOptions options;
    private final long loadNanos;
    private final java.util.Map<String, Long> loadPhases;
    /** The model on a CUDA device when the backend is cuda, else null (everything on the CPU). */
    private final DeviceLarge device;
    /** How tokens are chosen on the device ({@link #greedyOnDevice}, {@link #drawOnDevice}, {@link #topKOnDevice}). */
    private final DeviceChoices choices;
    /** Each state's device twin (weak keys: a state dropped by its session does not stay in the map). */
    private final java.util.Map<LargeState, DeviceLargeState> deviceStates = new java.util.WeakHashMap<>();
    /** Twins of states that may be dropped: when one is collected, its twin's device memory is freed (next newState). */
    private final java.util.Set<Twin> twins = new java.util.HashSet<>();
    private final java.lang.ref.ReferenceQueue<LargeState> dropped = new java.lang.ref.ReferenceQueue<>();

    /** A weak reference to a state that carries the state's device twin. */
    private static final class Twin extends java.lang.ref.WeakReference<LargeState> {
        final DeviceLargeState device;

        Twin(LargeState s, DeviceLargeState device, java.lang.ref.ReferenceQueue<LargeState> q) {
            super(s, q);
            this.device = device;
        }
    }

    private XlstmModel(Checkpoint checkpoint, XlstmLarge model, Tokenizer tokenizer, LoadOptions options, long loadNanos,
                       java.util.Map<String, Long> loadPhases, DeviceLarge device, DeviceChoices choices) {
        this.device = device;
        this.choices = choices;
        this.checkpoint = checkpoint;
        this.model = model;
        this.tokenizer = tokenizer;
        this.options = options;
        this.loadNanos = loadNanos;
        this.loadPhases = java.util.Collections.unmodifiableMap(loadPhases);
    }

    /** Loads the checkpoint in {@code dir} with {@link LoadOptions#defaults()}. */
    public static XlstmModel load(Path dir) { return load(dir, LoadOptions.defaults()); }

    /**
     * Loads the checkpoint in {@code dir}: configs, tokenizer (the checkpoint's {@code tokenizer.json}, or
     * {@code options.tokenizer()}; none is fine for token-id use), weights. Problems are {@link UserError}s naming
     * the file: a missing or broken file, a tokenizer with more tokens than the embedding has rows, a shard the
     * index names but that is missing or disagrees with the index.
     */
    public static XlstmModel load(Path dir, LoadOptions options) {
        long t0 = System.nanoTime();
        LoadOptions o = options == null ? LoadOptions.defaults() : options;
        // read first, on every backend: a bad value is refused before minutes of loading
        DeviceChoices choices = DeviceChoices.fromFlags();
        java.util.Map<String, Long> phases = new java.util.LinkedHashMap<>();
        Checkpoint ckpt = Checkpoint.open(dir);
        long t1 = System.nanoTime();
        phases.put("configs", t1 - t0);
        Tokenizer tok = null;
        Path tokFile = o.tokenizer() != null ? o.tokenizer() : ckpt.tokenizerFile();
        if (o.tokenizer() != null || tokFile != null) {
            tok = Tokenizer.load(tokFile);
            int rows = ckpt.config().vocabSize();
            if (tok.vocabSize() > rows) {
                int n = tok.vocabSize();
                tok.close();
                throw new UserError(tokFile + ": the tokenizer has " + n + " tokens (ids 0.." + (n - 1)
                        + ") but the model's embedding has only " + rows + " rows (vocab_size " + rows + " in "
                        + dir.resolve("config.json") + "): tokenizer and checkpoint do not belong together");
            }
        }
        long t2 = System.nanoTime();
        phases.put("tokenizer", t2 - t1);
        XlstmLarge m;
        try {
            m = ckpt.loadModel(o.dtype(), o.progress(), o.backend());
        } catch (RuntimeException e) {
            if (tok != null) tok.close();
            throw e;
        }
        long t3 = System.nanoTime();
        phases.put(o.dtype() == null ? "weights (mapped)" : "weights (to " + o.dtype().safetensorsName().toLowerCase() + ")",
                t3 - t2);
        DeviceLarge dev = null;
        if (m.backend() instanceof CudaKernels) {
            // the whole model on the GPU: bf16 weights unless float32 was asked for
            try {
                dev = DeviceLarge.upload(m, o.dtype() != DType.F32, tok == null ? m.config().vocabSize() : tok.vocabSize());
            } catch (RuntimeException e) {
                if (tok != null) tok.close();
                throw e;
            }
            phases.put("upload to " + dev.describe(), System.nanoTime() - t3);
        }
        long t4 = System.nanoTime();
        return new XlstmModel(ckpt, m, tok, o, t4 - t0, phases, dev, choices);
    }

    /** The network (on the CPU; see {@link #device()}). */
    public XlstmLarge network() { return model; }

    /** The model held on a CUDA device, which then runs every pass, or null when the CPU runs them. */
    public DeviceLarge device() { return device; }

    /** A zero state of {@code batch} sequences (with its device twin when the model is on a GPU). */
    LargeState newState(int batch) {
        LargeState s = model.newState(batch);
        if (device != null) {
            // free the device memory of states nobody holds any more (on this thread, which uses the context)
            for (java.lang.ref.Reference<? extends LargeState> r; (r = dropped.poll()) != null; ) {
                if (twins.remove(r)) ((Twin) r).device.close();
            }
            DeviceLargeState d = device.newState(batch);
            deviceStates.put(s, d);
            twins.add(new Twin(s, d, dropped));
        }
        return s;
    }

    /** Zeroes {@code state} (and its device twin). */
    void reset(LargeState state) {
        state.reset();
        if (device != null) device.reset(deviceState(state));
    }

    private DeviceLargeState deviceState(LargeState s) {
        DeviceLargeState d = deviceStates.get(s);
        if (d == null) throw new IllegalStateException("a state made outside this model's newState");
        return d;
    }

    public Checkpoint checkpoint() { return checkpoint; }

    /** The tokenizer, or null when the checkpoint has none (token ids only). */
    public Tokenizer tokenizer() { return tokenizer; }

    /** BOS/EOS ids, the BOS rule, sampling defaults. */
    public GenerationConfig generationConfig() { return checkpoint.generation(); }

    /** Rows of the embedding (logits per token). */
    public int vocabSize() { return model.config().vocabSize(); }

    /** Time {@link #load} took, in nanoseconds. */
    public long loadNanos() { return loadNanos; }

    public LoadOptions options() { return options; }

    /** How long each part of {@link #load} took (configs, tokenizer, weights), in nanoseconds, in order. */
    public java.util.Map<String, Long> loadPhases() { return loadPhases; }

    /** A new conversation: a zero recurrent state. */
    public Session newSession() { return new Session(this); }

    /** The token ids of a prompt: the tokenizer's encoding with the checkpoint's BOS rule applied. */
    public long[] encodePrompt(String text) {
        return generationConfig().applyBos(requireTokenizer().encode(text, true));
    }

    Tokenizer requireTokenizer() {
        if (tokenizer == null) {
            throw new UserError(checkpoint.dir() + ": no " + Tokenizer.FILE_NAME + " in the checkpoint, so no text in or"
                    + " out (give a tokenizer file, or use token ids)");
        }
        return tokenizer;
    }

    /** Ids the sampler may pick: those the tokenizer knows (all rows without a tokenizer). */
    int allowedVocab() { return tokenizer == null ? vocabSize() : tokenizer.vocabSize(); }

    void checkIds(long[] ids) {
        if (ids.length > options.maxPromptTokens()) {
            throw new UserError("the prompt has " + ids.length + " tokens, more than the limit of "
                    + options.maxPromptTokens() + " (--max-prompt-tokens)");
        }
        int v = vocabSize();
        for (int j = 0; j < ids.length; j++) {
            if (ids[j] < 0 || ids[j] >= v) {
                throw new UserError("token id " + ids[j] + " (position " + (j + 1) + ") is outside the vocabulary of "
                        + checkpoint.dir() + " (vocab_size " + v + ", ids 0.." + (v - 1) + ")");
            }
        }
    }

    /**
     * Whether tokens chosen with {@code p} are read as the device's arg-max (8 bytes a row) rather than picked from the
     * logits on the host: greedy decoding without a repetition penalty, with the model on a GPU
     * ({@code -Dxlstm.cuda.greedyOnDevice=false}: always from the logits).
     */
    boolean greedyOnDevice(SamplingParams p) {
        return device != null && p.greedy() && p.repetitionPenalty() == 1 && choices.greedyOnDevice();
    }

    /**
     * Whether tokens sampled with {@code p} are drawn on the device with each sequence's sampler's random number
     * ({@link DeviceLarge#queueDraw}; 8 bytes read a row) rather than on the host from the logits: sampling without a
     * repetition penalty, with the model on a GPU; the same tokens up to the rounding of sums
     * ({@code -Dxlstm.cuda.drawOnDevice=false}: from the logits, or the top-k candidates).
     */
    boolean drawOnDevice(SamplingParams p) {
        return device != null && choices.drawOnDevice() && DeviceLarge.drawsWith(p);
    }

    /**
     * Whether tokens sampled with {@code p} are drawn from the device's top-k candidates (k values and ids a row)
     * rather than from the logits: top-k sampling (k up to {@link DeviceLarge#MAX_TOP_K}, fewer than the tokenizer's
     * ids) without a repetition penalty, with the model on a GPU, where the device does not draw the token itself
     * ({@link #drawOnDevice}); the same tokens either way ({@code -Dxlstm.cuda.topKOnDevice=false}: from the logits).
     */
    boolean topKOnDevice(SamplingParams p) {
        return device != null && choices.topKOnDevice() && !drawOnDevice(p) && !p.greedy() && p.repetitionPenalty() == 1
                && p.topK() > 0 && p.topK() <= DeviceLarge.MAX_TOP_K && p.topK() < Math.min(vocabSize(), allowedVocab());
    }

    /**
     * Feeds {@code ids} (one sequence) into {@code state} (batch 1), in slices of {@code max_inference_chunksize}
     * tokens as transformers does; returns what the pass leaves after the last token.
     */
    PassOutput prefill(LargeState state, long[] ids) {
        int chunk = checkpoint.maxInferenceChunk();
        Tensor logits = null;
        for (int from = 0; from < ids.length; from += chunk) {
            int n = Math.min(chunk, ids.length - from);
            long[] part = java.util.Arrays.copyOfRange(ids, from, from + n);
            if (device != null) {
                device.prefill(new long[][] {part}, deviceState(state));
                continue;
            }
            logits = model.forwardLast(Tensor.ofLongs(part, 1, n), state);
        }
        if (ids.length == 0) throw new UserError("nothing to feed: the prompt is empty");
        if (device != null) {
            device.synchronize(); // the prompt's time is then the prefill's, not the first read's
            return PassOutput.onDevice(device, deviceState(state));
        }
        state.dropPrefillBuffers(); // generation only steps from here
        return PassOutput.ofLogits(logits.toFloatArray());
    }

    /** One step of {@code ids.length} sequences; its output holds logits (B·V). */
    PassOutput step(LargeState state, long[] ids) {
        if (device != null) {
            DeviceLargeState d = deviceState(state);
            device.setTokens(d, ids);
            device.step(d);
            return PassOutput.onDevice(device, d);
        }
        return PassOutput.ofLogits(model.step(ids, state).toFloatArray());
    }

    /**
     * One generation from {@code prompt} (token ids, BOS applied) in a state of its own that is dropped afterwards,
     * where a {@link Session} keeps its state for a next turn: the same tokens as a new session's {@code complete}.
     * On a GPU, greedy decoding then queues steps ahead of the host ({@link #generateBatch}).
     */
    public Completion generate(long[] prompt, GenerateOptions options, StreamListener listener) {
        if (prompt == null || prompt.length == 0) throw new UserError("the prompt is empty (no tokens, and no BOS rule)");
        return generateBatch(List.of(prompt), options, listener).get(0);
    }

    /**
     * Generates for several prompts at once, each with its own recurrent state: every prompt is fed alone, then
     * the sequences step together as one batch (one pass over the weights per step for all of them). Each row
     * samples with its own generator seeded with {@code options.sampling().seed()}, so row r gives what a single
     * generation of prompt r gives. {@code listener} gets each row's tokens and text as they come.
     */
    public List<Completion> generateBatch(List<long[]> prompts, GenerateOptions options, StreamListener listener) {
        if (prompts == null || prompts.isEmpty()) throw new UserError("batch generation needs at least one prompt");
        StreamListener l = listener == null ? StreamListener.NONE : listener;
        GenerateOptions o = options == null ? GenerateOptions.greedy(20) : options;
        if (!o.stop().isEmpty()) requireTokenizer();
        int b = prompts.size(), v = vocabSize();
        for (long[] p : prompts) {
            if (p.length == 0) throw new UserError("batch generation: a prompt is empty");
            checkIds(p);
        }
        long t0 = System.nanoTime();
        SamplingParams sp = o.sampling();
        boolean deviceGreedy = greedyOnDevice(sp), deviceDraw = drawOnDevice(sp), deviceTopK = topKOnDevice(sp);
        int k = sp.topK();
        Sampler[] samplers = new Sampler[b];
        for (int r = 0; r < b; r++) {
            samplers[r] = new Sampler(sp, v, allowedVocab());
            samplers[r].observe(prompts.get(r));
        }
        LargeState batch = newState(b);
        DecodePipeline pipe = null;
        try {
            long[] toks = new long[b]; // each row's next token
            long[] prefillNanos = new long[b];
            int[] promptTokens = new int[b];
            for (int r = 0; r < b; r++) {
                long s = System.nanoTime();
                LargeState one = newState(1);
                PassOutput p1 = prefill(one, prompts.get(r));
                toks[r] = deviceGreedy ? p1.greedyTokens()[0]
                        : deviceDraw ? p1.drawnTokens(sp, new double[] {samplers[r].nextUniform()})[0]
                        : deviceTopK ? samplers[r].nextFromTop(p1.topK(k).values(), p1.topK(k).ids(), 0, k)
                        : samplers[r].next(p1.logits(), 0);
                if (device != null) device.copyRow(deviceState(one), deviceState(batch), r);
                else copyRow(one, batch, r);
                forget(one);
                prefillNanos[r] = System.nanoTime() - s;
                promptTokens[r] = prompts.get(r).length;
            }
            GenerationConfig g = generationConfig();
            GenerationRow[] rows = new GenerationRow[b];
            int active = 0;
            for (int r = 0; r < b; r++) {
                rows[r] = new GenerationRow(r, o, g, tokenizer, l, t0);
                if (!rows[r].done()) active++;
            }
            long[] next = new long[b];
            if ((deviceGreedy || deviceDraw) && choices.pipeline() && active > 0) {
                // the device feeds each step's token to the next itself; rows that ended keep stepping on theirs
                pipe = device.decodePipeline(deviceState(batch), deviceDraw ? sp : null);
                device.setTokens(deviceState(batch), toks);
            }
            for (int step = 0; active > 0; step++) {
                // steps ahead of the host, never more than the longest row can still use
                while (pipe != null && pipe.queued() < DecodePipeline.DEPTH && step + pipe.queued() + 1 < o.maxNewTokens()) {
                    pipe.queue(deviceDraw ? uniforms(samplers, rows) : null);
                }
                for (int r = 0; r < b; r++) {
                    if (rows[r].done()) { // fed padding from here on; its outputs are not used
                        next[r] = g.padTokenId() != null && g.padTokenId() < v ? g.padTokenId() : 0;
                        continue;
                    }
                    next[r] = toks[r];
                    if (rows[r].accept((int) toks[r])) active--;
                }
                if (active == 0) break;
                if (pipe != null) {
                    toks = pipe.next();
                    continue;
                }
                PassOutput pass = step(batch, next);
                if (deviceGreedy) {
                    toks = pass.greedyTokens();
                } else if (deviceDraw) {
                    toks = pass.drawnTokens(sp, uniforms(samplers, rows));
                } else if (deviceTopK) {
                    DeviceLarge.TopK c = pass.topK(k);
                    for (int r = 0; r < b; r++) if (!rows[r].done()) toks[r] = samplers[r].nextFromTop(c.values(), c.ids(), r * k, k);
                } else {
                    float[] logits = pass.logits();
                    for (int r = 0; r < b; r++) if (!rows[r].done()) toks[r] = samplers[r].next(logits, r * v);
                }
            }
            List<Completion> result = new ArrayList<>();
            for (int r = 0; r < b; r++) result.add(rows[r].completion(promptTokens[r], prefillNanos[r]));
            return result;
        } finally {
            if (pipe != null) pipe.close();
            forget(batch);
        }
    }

    /**
     * Each row's random number for the device's next draw (a row that ended draws on with any number, its own
     * sampler untouched).
     */
    private static double[] uniforms(Sampler[] samplers, GenerationRow[] rows) {
        double[] u = new double[samplers.length];
        for (int r = 0; r < u.length; r++) u[r] = rows[r].done() ? 0.5 : samplers[r].nextUniform();
        return u;
    }

    /** Copies sequence 0 of {@code from} (batch 1) into sequence {@code row} of {@code to}. */
    static void copyRow(LargeState from, LargeState to, int row) {
        for (int i = 0; i < from.blocks(); i++) {
            for (Tensor[] pair : new Tensor[][] {{from.c(i), to.c(i)}, {from.n(i), to.n(i)}, {from.m(i), to.m(i)}}) {
                long bytes = pair[0].data().byteSize();
                MemorySegment.copy(pair[0].data(), 0, pair[1].data(), row * bytes, bytes);
            }
        }
    }

    /** Frees a state's device twin now (a closed session), rather than once the state is collected. */
    void forget(LargeState s) {
        DeviceLargeState d = deviceStates.remove(s);
        if (d == null) return;
        twins.removeIf(t -> t.device == d);
        d.close();
    }

    /**
     * Frees the tokenizer and the device's memory (weights, states); the weights' mappings go with the garbage
     * collector.
     */
    @Override
    public void close() {
        if (tokenizer != null) tokenizer.close();
        if (device != null) {
            for (Twin t : twins) t.device.close();
            twins.clear();
            deviceStates.clear();
            device.close();
        }
    }

    /** Sampling params that fill what is not given from the checkpoint's generation config (greedy without). */
    public SamplingParams defaultSampling(Double temperature, Integer topK, Double topP, Double repetitionPenalty, long seed) {
        GenerationConfig g = generationConfig();
        boolean sample = g.doSample() != null && g.doSample();
        double t = temperature != null ? temperature : sample && g.temperature() != null ? g.temperature() : sample ? 1.0 : 0.0;
        int k = topK != null ? topK : sample && g.topK() != null ? g.topK() : 0;
        double p = topP != null ? topP : sample && g.topP() != null ? g.topP() : 1.0;
        double rp = repetitionPenalty != null ? repetitionPenalty : g.repetitionPenalty() != null ? g.repetitionPenalty() : 1.0;
        return new SamplingParams(t, k, p, rp, seed);
    }
}
