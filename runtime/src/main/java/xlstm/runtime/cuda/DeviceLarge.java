package xlstm.runtime.cuda;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import xlstm.backends.Flags;
import xlstm.backends.cuda.Cublas;
import xlstm.backends.cuda.CudaContext;
import xlstm.runtime.UserError;
import xlstm.runtime.backend.DevicePointer;
import xlstm.runtime.backend.ResidentKernels;
import xlstm.runtime.config.XlstmLargeConfig;
import xlstm.runtime.generation.SamplingParams;
import xlstm.runtime.model.XlstmLarge;

/**
 * xLSTM Large held on a CUDA device: weights uploaded once (bf16 by default, float32 on request), activations and
 * states on the device, a pass queued on one stream with no host round trip. Matrix products are cuBLAS
 * ({@code cublasGemmEx}, float32 accumulation), except one-row products with bf16 weights (batch-1 decode), which
 * run on our GEMV ({@link GemvKernels}; it adds the fused projection's bias, so no split is needed then). The mLSTM
 * cell ({@link #cellKernel}: the tiled step kernel for decode, tensor cores for bf16 prompts, else the chunkwise
 * kernels), the gate soft-caps, the output gate and SwiGLU are the generated CUDA kernels; norms, the projection
 * split and arg-max are the plumbing kernels of {@link GlueKernels}. Each block's q, k, v, o and gate projections are
 * one fused matrix, the FFN's gate and up another.
 *
 * <p>Decoding: the first step of a state runs launch by launch, later steps replay it as a CUDA graph; greedy
 * decoding keeps the token on the device (arg-max feeds the next step's embedding) and only copies the token ids
 * back. On sm_90 and later our kernels are programmatic dependent launches. Calls are serialised (one stream);
 * states must not be shared between threads.
 */
public final class DeviceLarge implements AutoCloseable {
    private final XlstmLargeConfig cfg;
    private final CudaContext ctx;
    private final Cublas blas;
    private final GlueKernels glue;
    /** The next token chosen on the device: arg-max, top-k candidates, the sampler's draw. */
    private final ChoiceKernels choice;
    /** Our bf16 GEMV for batch-1 products (null with float32 weights); see {@link #ownGemv}. */
    private final GemvKernels gemv;
    /**
     * Our tensor-core products of a few rows with bf16 weights (batched decode steps, the head of a batch), gate|up
     * with SwiGLU in one launch, for the row counts {@link RowsGemvKernels#useFor} picks
     * ({@code -Dxlstm.cuda.rowsGemv=auto|all|false}); null with float32 weights.
     */
    private final RowsGemvKernels rows;
    private final ResidentKernels gen;
    private final boolean bf16;
    private final int wType, wBytes;
    private final int e, nh, dqk, dv, dhqk, dhv, p, vocab, chunk, r;
    /**
     * The ids the device's arg-max picks from, 0 to tokenVocab - 1: the tokenizer's tokens, not the embedding's
     * padding rows (50277 of 50304 in xLSTM 7B), as the host's sampler. Fixed before any step is captured.
     */
    private final int tokenVocab;
    private final float normEps, cellEps;
    private final Float gateCap, logitCap;
    /**
     * Below this many (batch, head) pairs the cell runs tiled (more work-groups, each repeating the chunk's Q Kᵀ):
     * on the H200 the plain kernel was faster at 64 pairs (8 x 8 heads, 184 against 233 ms for 8192 tokens) and
     * far slower at 8 (one work-group per head).
     */
    static final int TILED_BELOW = 64;
    private int tiledBelow = Flags.intFlag("xlstm.cuda.tiledBelow", TILED_BELOW, 0);
    /**
     * With bf16 weights the cell multiplies on tensor cores (bf16 operands, float32 accumulation and states) where
     * the kernel's shape limits allow; {@code -Dxlstm.cuda.tensorCores=false} keeps the float32 kernels.
     */
    private boolean tensorCores;
    /**
     * The tensor-core cell as two passes, the states then the outputs of all chunks at once (default), or as the one
     * fused kernel, sequential over chunks ({@code -Dxlstm.cuda.cellSplit=false}). On the H200 (2026-11-29, 7B
     * heads, 8192 steps, same device call): split 1.36 against 3.47 ms at batch 1, 10.6 against 14.0 ms at batch 8.
     */
    private final boolean splitCell = Flags.boolFlag("xlstm.cuda.cellSplit", true);
    /**
     * Products of one row with bf16 weights on our GEMV ({@code -Dxlstm.cuda.gemv=own}, the default;
     * {@code -Dxlstm.cuda.gemv=cublas}: all on cuBLAS).
     */
    private boolean ownGemv = Flags.choice("xlstm.cuda.gemv", "own", "own", "cublas").equals("own");
    /**
     * Threads per work-group of the step kernel ({@code -Dxlstm.cuda.stepBlock}; 0, the default: {@link #stepBlock}).
     */
    private final int stepBlockFlag = Flags.intFlag("xlstm.cuda.stepBlock", 0, 0);

    /**
     * The step kernel's work-group size for b rows: the wide kernel's 128; for the 32-column kernel the backend's
     * default (256) for fewer than 8 rows, else 64 (with many rows there are work-groups enough for every SM, and the
     * smaller ones measured faster). 7B decode on the H200 (3 rounds, 2026-11-29): batch 8, 64, 256 took 5.338,
     * 11.868, 35.223 ms a step with 256 threads, 5.244, 10.590, 29.101 with 64; at batch 1 the kernel alone took
     * 5.8 us with 256 threads and 6.6 with 128.
     */
    private int stepBlock(CellBench.Kernel kernel, int b) {
        return stepBlockFlag > 0 ? stepBlockFlag : kernel == CellBench.Kernel.STEP_WIDE ? 128 : b >= 8 ? 64 : 0;
    }

    /**
     * Fewest (batch, head) pairs whose decode step runs on the wide step kernel ({@code mlstm_step_wide}: 64 value
     * columns a work-group, half as many work-groups, each spreading the step's prologue over twice the state;
     * {@code -Dxlstm.cuda.stepWide=false}: always the 32-column kernel). 7B heads on the H200, 2026-11-29: the kernel
     * alone (CellBench) at batch 8, 64, 256 took 15.3, 176.8, 682 us with 128 threads against 17.5, 184.0, 711 for
     * the 32-column kernel with 64; at batch 1 6.8 against 5.8 us. The decode step (one call, 2 rounds) at batch 8,
     * 64, 256: 5.218, 10.412, 28.185 ms against 5.239, 10.578, 29.094.
     */
    static final int WIDE_STEP_PAIRS = 64;
    private final boolean stepWide = Flags.boolFlag("xlstm.cuda.stepWide", true);
    /** Decode steps on the tiled step kernel ({@code -Dxlstm.cuda.stepTiled=false}: the chunkwise kernels). */
    private boolean stepTiled = Flags.boolFlag("xlstm.cuda.stepTiled", true);
    /** Set once by {@link #upload} or {@link #random}. */
    private DeviceWeights weights;
    private DeviceBuffers prefillMem;
    private Activations prefill;
    /** The prompts' token ids on their way to {@link Activations#tokenIds}, in stream order. */
    private final HostStaging promptIds;
    private boolean graphs = !Flags.boolFlag("xlstm.cuda.nographs", false);
    /** Set while {@link #profileSteps} runs: the queued operations are timed one by one. */
    private StepTimer timer;

    private DeviceLarge(XlstmLargeConfig cfg, boolean bf16, int tokenVocab) {
        // read before anything is allocated, and on every device: a bad value is refused wherever it is given
        boolean pdl = Flags.boolFlag("xlstm.cuda.pdl", true);
        boolean tensorCoresFlag = Flags.boolFlag("xlstm.cuda.tensorCores", true);
        this.cfg = cfg;
        this.gen = ResidentKernels.get();
        this.ctx = gen.context();
        this.blas = Cublas.on(ctx);
        this.glue = new GlueKernels(ctx);
        this.choice = new ChoiceKernels(ctx);
        this.gemv = bf16 ? new GemvKernels(ctx) : null;
        this.rows = bf16 ? new RowsGemvKernels(ctx) : null;
        this.promptIds = new HostStaging(ctx);
        dependentLaunches(ctx.device().computeCapability() >= 90 && pdl); // the kernels' wait exists from sm_90 on
        this.bf16 = bf16;
        wType = bf16 ? Cublas.R_16BF : Cublas.R_32F;
        wBytes = bf16 ? 2 : 4;
        e = cfg.embeddingDim();
        nh = cfg.numHeads();
        dqk = cfg.qkDim();
        dv = cfg.vDim();
        dhqk = dqk / nh;
        dhv = dv / nh;
        p = cfg.ffnUpProjDim();
        vocab = cfg.vocabSize();
        if (tokenVocab < 1 || tokenVocab > vocab) {
            throw new IllegalArgumentException("arg-max over " + tokenVocab + " of " + vocab + " embedding rows");
        }
        this.tokenVocab = tokenVocab;
        chunk = cfg.chunkSize();
        r = 2 * dqk + 2 * dv + 2 * nh;
        normEps = (float) cfg.normEps();
        cellEps = (float) cfg.eps();
        gateCap = cap(cfg.gateSoftCap());
        logitCap = cap(cfg.outputLogitSoftCap());
        tensorCores = bf16 && tensorCoreShape(dhqk, chunk) && tensorCoresFlag;
    }

    /** Whether the tensor-core cell kernel takes heads of {@code dhqk} keys and chunks of {@code chunk} steps. */
    static boolean tensorCoreShape(int dhqk, int chunk) {
        return dhqk % 16 == 0 && dhqk <= 256 && chunk <= 64;
    }

    private static Float cap(double c) {
        return !(c > 0) || Double.isInfinite(c) ? null : (float) c;
    }

    // ------------------------------------------------------------------ making a model

    /** The weights of {@code model} (as loaded on the CPU) copied to the device, in bf16 or float32. */
    public static DeviceLarge upload(XlstmLarge model, boolean bf16) {
        return upload(model, bf16, model.config().vocabSize());
    }

    /**
     * As {@link #upload(XlstmLarge, boolean)}, with the arg-max ({@link #tokens}) limited to ids below
     * {@code tokenVocab}: a tokenizer's size when it has fewer tokens than the embedding has rows.
     */
    public static DeviceLarge upload(XlstmLarge model, boolean bf16, int tokenVocab) {
        return filled(model.config(), bf16, tokenVocab, d -> DeviceWeights.upload(d.ctx, model, bf16));
    }

    /**
     * A model of {@code cfg}'s shape with deterministic random weights made on the device (uniform, scaled by
     * 1/sqrt(fan-in); norm weights 1, forget-gate biases 3): for benchmarks, no checkpoint needed.
     */
    public static DeviceLarge random(XlstmLargeConfig cfg, boolean bf16, long seed) {
        return filled(cfg, bf16, cfg.vocabSize(), d -> DeviceWeights.random(d.ctx, d.glue, cfg, bf16, seed));
    }

    /** A new model whose weights {@code fill} puts on the device; its device memory is freed when that fails. */
    private static DeviceLarge filled(XlstmLargeConfig cfg, boolean bf16, int tokenVocab,
            java.util.function.Function<DeviceLarge, DeviceWeights> fill) {
        DeviceLarge d = new DeviceLarge(cfg, bf16, tokenVocab);
        try {
            d.weights = fill.apply(d);
        } catch (RuntimeException ex) {
            d.close();
            throw ex;
        }
        return d;
    }

    // ------------------------------------------------------------------ states

    public XlstmLargeConfig config() { return cfg; }

    /** The context the model's work is queued on (for timing events). */
    public CudaContext context() { return ctx; }

    /** Whether the weights are bf16 (else float32). */
    public boolean bf16() { return bf16; }

    /** Device bytes of the weights. */
    public long weightBytes() { return weights.bytes(); }

    /** What the device holds, in words: {@code NVIDIA H200 ...; weights bf16 13.6 GB; cuBLAS 130100}. */
    public String describe() {
        return ctx.device().summary() + "; weights " + (bf16 ? "bf16" : "float32") + " "
                + String.format(java.util.Locale.ROOT, "%.2f GB", weights.bytes() / 1e9) + "; cuBLAS " + blas.version()
                + "; decode " + (graphs ? "as a CUDA graph" : "launch by launch")
                + (dependent ? " of dependent launches" : "") + ", products on "
                + (gemv != null && ownGemv ? "our bf16 GEMV" : "cuBLAS")
                + (rows != null && RowsGemvKernels.useFor(2) ? " (a few rows: our tensor-core kernel)" : "")
                + "; prompt cell "
                + (tensorCores ? "on tensor cores (bf16 operands)" : "float32");
    }

    /** The tiled cell kernel below {@code pairs} (batch, head) pairs (default 64, {@code -Dxlstm.cuda.tiledBelow}). */
    void tiledBelow(int pairs) { tiledBelow = pairs; }

    /**
     * Whether our kernels are queued as programmatic dependent launches (default; {@code -Dxlstm.cuda.pdl=false}: plain
     * launches): each waits for its predecessor at its top, so the overlap only hides launch latency. cuBLAS's
     * products launch as they do. On the H200 decode batch 1 took 4.506 against 4.601 ms, batch 8 5.932 against
     * 6.033 ms (same device call, two rounds each, 2026-11-29).
     */
    private boolean dependent;

    /** Turns programmatic dependent launches of our kernels on or off (see {@link #dependent}). */
    void dependentLaunches(boolean on) {
        dependent = on;
        gen.dependentLaunches(on);
        glue.dependentLaunches(on);
        choice.dependentLaunches(on);
        if (gemv != null) gemv.dependentLaunches(on);
        if (rows != null) rows.dependentLaunches(on);
    }

    /** Products of one row on our bf16 GEMV (true, where it fits) or all on cuBLAS (false). */
    void ownGemv(boolean on) { ownGemv = on; }

    /** Whether a product of {@code t} rows of bf16 x, {@code in} features, runs on {@link #rows}. */
    private boolean fewRows(int t, int in, int out, boolean swiglu, long addresses) {
        return rows != null && RowsGemvKernels.useFor(t) && RowsGemvKernels.fits(t, in, out, swiglu, addresses);
    }

    /** Turns the tiled step kernel for decode steps off (the chunkwise kernels run them) or on. */
    void stepTiled(boolean on) { stepTiled = on; }

    /** Turns the tensor-core cell kernel off (the float32 kernels by {@link #tiledBelow}) or back on where it fits. */
    void tensorCores(boolean on) { tensorCores = on && bf16 && tensorCoreShape(dhqk, chunk); }

    /**
     * The cell kernel a pass of {@code s} steps over {@code pairs} (batch, head) pairs runs: the tiled step kernel
     * for a decode step, tensor cores for prompts (a decode step would pad its one step to a chunk of 64), else
     * chunkwise, tiled below {@link #tiledBelow} pairs.
     */
    CellBench.Kernel cellKernel(int pairs, int s) {
        return cellKernel(stepTiled, stepWide, tensorCores, splitCell, tiledBelow, pairs, s);
    }

    /** {@link #cellKernel(int, int)} for the given switches (a function of them alone, for tests). */
    static CellBench.Kernel cellKernel(boolean stepTiled, boolean stepWide, boolean tensorCores, boolean split,
                                       int tiledBelow, int pairs, int s) {
        if (s == 1 && stepTiled) {
            return stepWide && pairs >= WIDE_STEP_PAIRS ? CellBench.Kernel.STEP_WIDE : CellBench.Kernel.STEP_TILED;
        }
        if (tensorCores && s >= TENSOR_MIN_STEPS) return split ? CellBench.Kernel.TENSOR_SPLIT : CellBench.Kernel.TENSOR;
        return pairs < tiledBelow ? CellBench.Kernel.TILED : CellBench.Kernel.PLAIN;
    }

    /** Fewest steps of a pass that runs on the tensor-core kernel. */
    static final int TENSOR_MIN_STEPS = 16;

    /** Decode steps replayed as CUDA graphs (default) or launched one by one ({@code -Dxlstm.cuda.nographs=true}). */
    public void useGraphs(boolean on) { graphs = on; }

    /** A zero state for {@code batch} sequences, with its decode buffers. */
    public synchronized DeviceLargeState newState(int batch) {
        if (batch < 1) throw new UserError("batch size must be positive, got " + batch);
        DeviceBuffers mem = new DeviceBuffers(ctx);
        try {
            Activations step = new Activations(mem, batch, batch, e, dqk, dv, nh, p, vocab);
            return new DeviceLargeState(mem, batch, cfg.numBlocks(), nh, dhqk, dhv, step, vocab);
        } catch (RuntimeException ex) {
            mem.close();
            throw ex;
        }
    }

    /** Zeroes {@code st}'s state (a fresh sequence); the captured decode graph stays valid. */
    public synchronized void reset(DeviceLargeState st) {
        for (int i = 0; i < st.c.length; i++) {
            ctx.zeroAsync(st.c[i], 4L * st.batch * nh * dhqk * dhv);
            ctx.zeroAsync(st.n[i], 4L * st.batch * nh * dhqk);
            ctx.zeroAsync(st.m[i], 4L * st.batch * nh);
        }
    }

    /** Copies sequence 0 of {@code from} (batch 1) into row {@code row} of {@code to}. */
    public synchronized void copyRow(DeviceLargeState from, DeviceLargeState to, int row) {
        if (from.batch != 1 || row < 0 || row >= to.batch) {
            throw new IllegalArgumentException("copyRow from a batch of " + from.batch + " to row " + row + " of " + to.batch);
        }
        long cb = 4L * nh * dhqk * dhv, nb = 4L * nh * dhqk, mb = 4L * nh;
        for (int i = 0; i < from.c.length; i++) {
            ctx.copyAsync(to.c[i] + row * cb, from.c[i], cb);
            ctx.copyAsync(to.n[i] + row * nb, from.n[i], nb);
            ctx.copyAsync(to.m[i] + row * mb, from.m[i], mb);
        }
    }

    // ------------------------------------------------------------------ passes

    /**
     * Runs the prompt (B rows of S >= 1 tokens) through the model from {@code st}'s state, updating it; the last
     * position's logits and arg-max tokens land in {@code st} ({@link #logits}, {@link #tokens}). Queued: returns
     * before the device is done.
     */
    public synchronized void prefill(long[][] prompt, DeviceLargeState st) {
        int b = prompt.length, s = prompt.length == 0 ? 0 : prompt[0].length;
        if (b != st.batch) throw new UserError("the prompt has " + b + " rows, the state " + st.batch);
        if (s < 1) throw new UserError("the prompt must have at least one token per row");
        long[] flat = new long[b * s];
        for (int i = 0; i < b; i++) {
            if (prompt[i].length != s) throw new UserError("all prompt rows must have the same length");
            for (int j = 0; j < s; j++) {
                long id = prompt[i][j];
                if (id < 0 || id >= vocab) {
                    throw new UserError("token id " + id + " at row " + i + ", position " + j + " is outside the"
                            + " vocabulary (0.." + (vocab - 1) + ")");
                }
                flat[i * s + j] = id;
            }
        }
        int t = b * s;
        Activations a = prefillBuffers(t, b);
        promptIds.write(a.tokenIds, flat); // ordered after the work already queued, which may still read the last ids
        glue.embed(a.tokenIds, weights.embedding, bf16, e, t, a.x);
        mark("embedding");
        queueBlocks(a, b, s, st);
        queueHead(a, b, s, st.logits, st.ids);
    }

    /**
     * One decode step of every row from the tokens in {@code st} (the arg-max of the previous pass, or those set
     * by {@link #setTokens}); leaves the new logits and arg-max there. Queued.
     */
    public synchronized void step(DeviceLargeState st) {
        if (st.graph != null && st.graphScratchVersion != gen.scratchVersion()) {
            st.graph.close(); // the generated kernels' scratch moved since the capture
            st.graph = null;
        }
        if (graphs && st.graph == null && st.steps > 0) {
            st.graphScratchVersion = gen.scratchVersion();
            st.graph = ctx.capture(() -> queueStep(st));
        }
        if (graphs && st.graph != null) st.graph.launch();
        else queueStep(st);
        st.steps++;
    }

    private void queueStep(DeviceLargeState st) {
        Activations a = st.step;
        glue.embed(st.ids, weights.embedding, bf16, e, st.batch, a.x);
        mark("embedding");
        queueBlocks(a, st.batch, 1, st);
        queueHead(a, st.batch, 1, st.logits, st.ids);
    }

    private void mark(String label) {
        if (timer != null) timer.mark(label);
    }

    /**
     * Runs {@code steps} decode steps of {@code st} launch by launch with an event between operations; returns the
     * table of device milliseconds per operation and step ({@link StepTimer}). For finding where a step's time goes:
     * the graph replay that {@link #step} uses has no gaps between launches, so it is faster than the sum here.
     */
    public synchronized String profileSteps(DeviceLargeState st, int steps) {
        try (StepTimer t = new StepTimer(ctx)) {
            timer = t;
            for (int i = 0; i < steps; i++) {
                t.begin();
                queueStep(st);
                t.collect();
                st.steps++;
            }
            return t.table();
        } finally {
            timer = null;
        }
    }

    /**
     * As {@link #profileSteps} for {@code runs} prefills of {@code prompt} into {@code st}, each from a reset state:
     * where a prompt's time goes.
     */
    public synchronized String profilePrefill(long[][] prompt, DeviceLargeState st, int runs) {
        try (StepTimer t = new StepTimer(ctx)) {
            timer = t;
            for (int i = 0; i < runs; i++) {
                reset(st);
                t.begin();
                prefill(prompt, st);
                t.collect();
            }
            return t.table();
        } finally {
            timer = null;
        }
    }

    /**
     * Decoding of {@code st} with the host a step behind the device ({@link DecodePipeline}): arg-max tokens when
     * {@code draw} is null, else tokens the device draws with those params ({@link #queueDraw}); the tokens already
     * on the device (those of the last pass or draw, or {@link #setTokens}) are the first step's input.
     */
    public DecodePipeline decodePipeline(DeviceLargeState st, SamplingParams draw) {
        return new DecodePipeline(this, st, draw);
    }

    /**
     * {@link #step}, a draw when {@code draw} is not null ({@link #queueDraw}), then the copy of the step's tokens
     * into the page-locked {@code dst} and {@code copied}.
     */
    synchronized void stepAndCopyTokens(DeviceLargeState st, SamplingParams draw, double[] uniforms, MemorySegment dst,
                                        xlstm.backends.cuda.CuEvent copied) {
        step(st);
        if (draw != null) queueDraw(st, draw, uniforms);
        ctx.readAsyncAt(st.ids, dst);
        copied.record();
    }

    /**
     * Whether the device can draw with {@code p} ({@link #queueDraw}): a temperature, any top-k and top-p, no
     * repetition penalty (that needs the sequence's tokens).
     */
    public static boolean drawsWith(SamplingParams p) { return !p.greedy() && p.repetitionPenalty() == 1; }

    /**
     * Queues each row's next token, drawn from the last pass's logits as {@code Sampler.next} draws it with the row's
     * number in {@code uniforms} (each row's {@code Sampler.nextUniform}), into the tokens the next step embeds
     * (choice.cu's {@code xl_sample}): the same token as the host's draw up to the rounding of the weights' sums
     * (the device sums them exactly, as integers), with 8 bytes a row to read instead of the logits.
     */
    public synchronized void queueDraw(DeviceLargeState st, SamplingParams p, double[] uniforms) {
        if (!drawsWith(p)) throw new IllegalArgumentException("the device does not draw with " + p);
        if (uniforms.length != st.batch) throw new IllegalArgumentException(uniforms.length + " numbers for a batch of " + st.batch);
        for (double u : uniforms) if (!(u >= 0 && u < 1)) throw new IllegalArgumentException("a draw's number " + u + " is outside [0, 1)");
        if (st.uniforms == 0) {
            st.uniforms = st.mem.alloc(8L * st.batch);
            st.drawWeights = st.mem.alloc(8L * st.batch * tokenVocab);
        }
        st.idsIn.write(st.uniforms, uniforms);
        int k = p.topK() > 0 ? Math.min(p.topK(), tokenVocab) : tokenVocab;
        choice.sample(st.logits, st.batch, vocab, tokenVocab, k, 1.0 / p.temperature(), p.topP(), st.uniforms,
                st.drawWeights, st.ids);
    }

    /** {@link #queueDraw}, then the tokens drawn, one per row (waits for the device). */
    public synchronized long[] draw(DeviceLargeState st, SamplingParams p, double[] uniforms) {
        queueDraw(st, p, uniforms);
        return tokens(st);
    }

    /** Replaces the next tokens of {@code st} (one per row), e.g. by a sampler's choice. */
    public synchronized void setTokens(DeviceLargeState st, long[] ids) {
        if (ids.length != st.batch) throw new IllegalArgumentException(ids.length + " tokens for a batch of " + st.batch);
        for (long id : ids) {
            if (id < 0 || id >= vocab) throw new UserError("token id " + id + " is outside the vocabulary (0.." + (vocab - 1) + ")");
        }
        st.idsIn.write(st.ids, ids);
    }

    /**
     * The next tokens, one per row, below the token vocabulary given to {@link #upload}: the last pass's arg-max, or
     * the last draw's ({@link #queueDraw}) (waits for the device): decoding reads 8 bytes a row instead of the logits.
     */
    public synchronized long[] tokens(DeviceLargeState st) {
        ctx.readAsyncAt(st.ids, st.hostIds);
        ctx.synchronize("reading the next tokens");
        return st.hostIds.toArray(ValueLayout.JAVA_LONG);
    }

    /** The soft-capped logits of the last pass, (B, V) row-major (waits for the device). */
    public synchronized float[] logits(DeviceLargeState st) {
        if (st.hostLogits == null) st.hostLogits = ctx.pinned(4L * st.batch * vocab);
        MemorySegment host = st.hostLogits.segment();
        ctx.readAsyncAt(st.logits, host);
        ctx.synchronize("reading the logits");
        return host.toArray(ValueLayout.JAVA_FLOAT);
    }

    /** The most candidates {@link #topK} reads a row. */
    public static final int MAX_TOP_K = 256;

    /**
     * Each row's {@code k} largest logits among the tokenizer's ids ({@link #upload}'s tokenVocab) and their ids, in no
     * order, k a row (waits for the device): top-k sampling reads these instead of the row's logits. The order is
     * the host sampler's (a NaN as -inf, ties to the smaller ids), so the sampler draws what it draws from all logits.
     */
    public synchronized TopK topK(DeviceLargeState st, int k) {
        if (k < 1 || k > MAX_TOP_K || k > tokenVocab) {
            throw new IllegalArgumentException("top-k of " + k + " (1 to " + Math.min(MAX_TOP_K, tokenVocab) + ")");
        }
        if (st.hostTopK == null) {
            long bytes = 4L * st.batch * MAX_TOP_K;
            st.topKVals = st.mem.alloc(bytes);
            st.topKIds = st.mem.alloc(bytes);
            st.hostTopK = ctx.pinned(2 * bytes);
        }
        choice.topK(st.logits, st.batch, vocab, tokenVocab, k, st.topKVals, st.topKIds);
        MemorySegment host = st.hostTopK.segment();
        long bytes = 4L * st.batch * k;
        ctx.readAsyncAt(st.topKVals, host.asSlice(0, bytes));
        ctx.readAsyncAt(st.topKIds, host.asSlice(bytes, bytes));
        ctx.synchronize("reading the top-" + k + " candidates");
        return new TopK(host.asSlice(0, bytes).toArray(ValueLayout.JAVA_FLOAT),
                host.asSlice(bytes, bytes).toArray(ValueLayout.JAVA_INT), k);
    }

    /** Candidates of {@link #topK}: row r's are {@code values[r·k + j]}, {@code ids[r·k + j]} for j < k. */
    public record TopK(float[] values, int[] ids, int k) {}

    /** Waits for the queued work. */
    public synchronized void synchronize() {
        ctx.synchronize("the model's queued work");
    }

    /**
     * Greedy generation as {@link XlstmLarge#generateGreedy}: the prompt once, then each arg-max token fed back on
     * the device. Returns the {@code maxNewTokens} new tokens per row.
     */
    public synchronized long[][] generateGreedy(long[][] prefix, int maxNewTokens) {
        if (prefix == null || prefix.length == 0) throw new UserError("generation needs at least one prefix row");
        int b = prefix.length;
        long[][] out = new long[b][Math.max(0, maxNewTokens)];
        if (maxNewTokens <= 0) return out;
        long[][] prompt = prefix[0].length == 0 ? new long[b][1] : prefix; // empty: BOS 0, as the reference
        try (DeviceLargeState st = newState(b)) {
            prefill(prompt, st);
            for (int t = 0; ; ) {
                long[] next = tokens(st);
                for (int i = 0; i < b; i++) out[i][t] = next[i];
                if (++t == maxNewTokens) break;
                step(st);
            }
        }
        return out;
    }

    private Activations prefillBuffers(int tokens, int rows) {
        if (prefill == null || !prefill.fits(tokens, rows)) {
            if (prefillMem != null) prefillMem.close();
            prefillMem = new DeviceBuffers(ctx);
            prefill = new Activations(prefillMem, tokens, rows, e, dqk, dv, nh, p, vocab);
        }
        return prefill;
    }

    private static DevicePointer at(long address) { return new DevicePointer(address); }

    /** The blocks over a.x, B rows of S tokens, continuing st's state. */
    private void queueBlocks(Activations a, int b, int s, DeviceLargeState st) {
        if (cellKernel(b * nh, s) != CellBench.Kernel.PLAIN) {
            // the tiled kernels read every block's initial n and m from a copy (one of their work-groups writes the new)
            ctx.copyAsync(st.nInAll, st.nAll, weights.blocks.size() * st.nBytes);
            ctx.copyAsync(st.mInAll, st.mAll, weights.blocks.size() * st.mBytes);
            mark("n, m copies");
        }
        for (int i = 0; i < weights.blocks.size(); i++) {
            // mLSTM layer: x += out_proj(sigmoid(o) * headnorm(cell(q, k, v, i, f))), then the feed-forward
            CellInputs in = queueProjections(a, weights.blocks.get(i), b, s);
            queueCell(in, a, i, b, s, st);
            queueOutputAndFeedForward(in, a, weights.blocks.get(i), b, s);
        }
    }

    /** What a block's projections leave for its cell and output gate (addresses; o and the head norm bf16: gateIo). */
    private record CellInputs(long q, long k, long v, long o, long gates, boolean gateIo) {}

    /** A block's RMS norm and fused projection (q, k, v, o, i, f) into the cell's layouts, gates soft-capped. */
    private CellInputs queueProjections(Activations a, DeviceWeights.Block w, int b, int s) {
        int t = b * s;
        boolean fuseNormM = fusedNorms(t, e, e, a.x | w.normM() | w.normMBias());
        if (!fuseNormM) {
            glue.rmsNorm(a.x, w.normM(), w.normMBias(), t, e, normEps, a.xn, bf16);
            mark("rms norm");
        }
        long q = a.q, k = a.k, v = a.v, o = a.o, gates = a.gates;
        boolean gateIo = false; // o and the head norm in bf16, read by the output gate's _bf16io twin
        if (oneRowGemv(t, e)) {
            // one token: the fused projection's parts are already in the cell's layouts (q, k, v, o, then the i
            // and the f gates), so the product with its bias is all, no split
            // (and the i and f gates, its last 2·NH rows, soft-capped by the product as well)
            int capFrom = gateCap != null ? r - 2 * nh : r;
            float cap = gateCap != null ? gateCap : 1f;
            if (fuseNormM) {
                gemv.rmsGemv(a.x, w.normM(), w.normMBias(), normEps, w.qkvo(), w.qkvoBias(), a.proj, e, r, capFrom, cap);
            } else gemv.gemv(a.xn, bf16, w.qkvo(), w.qkvoBias(), a.proj, e, r, 1, false, capFrom, cap);
            q = a.proj;
            k = q + 4L * dqk;
            v = k + 4L * dqk;
            o = v + 4L * dv;
            gates = o + 4L * dv;
            mark((fuseNormM ? "rms norm, " : "") + "product q|k|v|o|i|f, bias" + (gateCap != null ? ", gate soft-cap" : ""));
            return new CellInputs(q, k, v, o, gates, false);
        }
        if (directProjection(b, s, w)) {
            gateIo = bf16Gate && bf16Out && bf16 && !oneRowGemv(t, dv)
                    && glue.headNormWritesBf16(t, nh, dhv, a.h, w.headNorm(), w.headNormBias(), a.hn);
            projectIntoCellLayouts(a.xn, w.qkvo(), w.qkvoBias(), b, s, q, k, v, o, gates, gateIo);
            mark("products q, k, v, o, i, f (cell layouts)");
        } else if (s == 1 && fewRows(t, e, r, false, a.xn | w.qkvo()) && partsInOneLaunch) {
            // a decode step of a few rows: the product writes the cell's layouts and soft-caps the gates itself
            rows.projectParts(a.xn, w.qkvo(), w.qkvoBias(), t, e, r, new RowsGemvKernels.Parts(q, k, v, o, gates,
                    gates + 4L * t * nh, dqk, dv, gateCap != null ? gateCap : 0f));
            mark("product q|k|v|o|i|f, split" + (gateCap != null ? ", gate soft-cap" : ""));
            return new CellInputs(q, k, v, o, gates, false);
        } else {
            linear(a.xn, false, 0, w.qkvo(), a.proj, t, e, r, false, false);
            mark("product q|k|v|o|i|f");
            glue.splitQkvo(a.proj, w.qkvoBias(), t, s, nh, dhqk, dhv, q, k, v, o, gates);
            mark("split q, k, v, o, gates");
        }
        if (gateCap != null) {
            gen.launch("softcap_rows_apply", 1, 2 * t * nh, at(gates), at(a.gatesCapped), gateCap);
            gates = a.gatesCapped;
            mark("gate soft-cap");
        }
        return new CellInputs(q, k, v, o, gates, gateIo);
    }

    /** Block i's mLSTM cell over {@code in} into a.h, continuing st's state. */
    private void queueCell(CellInputs in, Activations a, int i, int b, int s, DeviceLargeState st) {
        int t = b * s;
        CellBench.Kernel cell = cellKernel(b * nh, s);
        if (cell != CellBench.Kernel.PLAIN) {
            // tiled (also on tensor cores; the step form): a work-group per (b, h, value columns)
            long nIn = st.nInAll + i * st.nBytes, mIn = st.mInAll + i * st.mBytes;
            if (cell.step()) {
                gen.launchWith(cell.entry, stepBlock(cell, b), b, nh, dhqk, dhv, at(in.q), at(in.k), at(in.v), at(in.gates),
                        at(in.gates + 4L * t * nh),
                        at(st.c[i]), at(st.n[i]), at(st.m[i]), at(nIn), at(mIn), at(a.h), cellEps);
            } else cell.launch(gen, b, nh, s, dhqk, dhv, chunk, at(in.q), at(in.k), at(in.v), at(in.gates),
                    at(in.gates + 4L * t * nh), at(st.c[i]), at(st.n[i]), at(st.m[i]), at(nIn), at(mIn), at(a.h),
                    cellEps);
        } else {
            gen.launch("mlstm_chunkwise", b, nh, s, dhqk, dhv, chunk, at(in.q), at(in.k), at(in.v), at(in.gates),
                    at(in.gates + 4L * t * nh), at(st.c[i]), at(st.n[i]), at(st.m[i]), at(a.h), cellEps);
        }
        mark(cell.label);
    }

    /** A block's head norm, output gate and out product (x += ...), then its feed-forward (x += ...). */
    private void queueOutputAndFeedForward(CellInputs in, Activations a, DeviceWeights.Block w, int b, int s) {
        int t = b * s;
        if (fusedNorms(t, dv, dhv, a.h | in.o | w.headNorm() | w.headNormBias())) {
            gemv.headNormGate(a.h, in.o, w.headNorm(), w.headNormBias(), normEps, dhv, w.out(), a.x, dv, e, true);
            mark("head norm, output gate, product out");
        } else {
            // a cuBLAS product with bf16 weights reads bf16 activations: the pointwise kernels' bf16 twins write them
            boolean actBf16 = bf16Out && bf16 && !oneRowGemv(t, dv);
            long gated = actBf16 ? a.gatedB : a.gated;
            if (headNormGate && GlueKernels.headNormGateFits(t, nh, dhv, a.h | w.headNorm() | w.headNormBias() | in.o | gated)) {
                glue.headNormGate(a.h, w.headNorm(), w.headNormBias(), t, s, nh, dhv, normEps, in.o, in.gateIo, gated,
                        actBf16);
                mark("head norm, output gate");
            } else {
                glue.headNorm(a.h, w.headNorm(), w.headNormBias(), t, s, nh, dhv, normEps, a.hn, in.gateIo);
                mark("head norm");
                gen.launch(in.gateIo ? "sigmoid_gate_apply_bf16io" : actBf16 ? "sigmoid_gate_apply_bf16" : "sigmoid_gate_apply",
                        1, t * dv, at(in.o), at(a.hn), at(gated));
                mark("output gate");
            }
            if (actBf16) linear(a.gatedB, false, 0, w.out(), a.x, t, dv, e, true, false);
            else linear(a.gated, true, a.gatedB, w.out(), a.x, t, dv, e, true, false);
            mark("product out");
        }
        if (w.outBias() != 0) glue.addBias(a.x, w.outBias(), t, e, false);
        // feed-forward: x += down(silu(gate) * up), gate|up feature-major so each part is one block
        if (fusedNorms(t, e, e, a.x | w.normF() | w.normFBias())) {
            // one row: the norm, gate|up and SwiGLU in one product, then down reads its output
            long act = actBf16Step ? a.actB : a.act;
            gemv.rmsSwiglu(a.x, w.normF(), w.normFBias(), normEps, w.gateUp(), w.gateUpBias(), act, e, p, actBf16Step);
            mark("rms norm, product gate|up, swiglu");
            linear(act, !actBf16Step, a.actB, w.down(), a.x, t, p, e, true, false);
        } else {
            queueFeedForward(a, w, t);
        }
        mark("product down");
        if (w.downBias() != 0) glue.addBias(a.x, w.downBias(), t, e, false);
    }

    /** The feed-forward's separate launches: RMS norm, gate|up, SwiGLU, down (x += down(silu(gate) * up)). */
    private void queueFeedForward(Activations a, DeviceWeights.Block w, int t) {
        glue.rmsNorm(a.x, w.normF(), w.normFBias(), t, e, normEps, a.xn, bf16);
        mark("rms norm");
        boolean swigluBf16 = bf16Out && bf16 && t > 1;
        if (swigluBf16 && w.gateUpBias() == 0 && fewRows(t, e, p, true, a.xn | w.gateUp() | a.actB)) {
            // a few rows: gate|up and SwiGLU in one launch, the activation (t, p) row-major in bf16 for down
            rows.swiglu(a.xn, w.gateUp(), a.actB, t, e, p, true);
            mark("product gate|up, swiglu");
            linear(a.actB, false, 0, w.down(), a.x, t, p, e, true, false);
            return;
        }
        if (swigluBf16 && bf16Ffn && w.gateUpBias() == 0) {
            // gate|up in bf16 (as PyTorch's bf16 model has them), read so by SwiGLU's bf16 twin: half the bytes
            blas.linear(a.xn, w.gateUp(), wType, a.ffn, Cublas.R_16BF, t, e, 2 * p, false, true);
            mark("product gate|up");
            gen.launch("ffn_swiglu_apply_bf16io", 1, t * p, at(a.ffn), at(a.ffn + 2L * t * p), at(a.actB));
        } else {
            linear(a.xn, false, 0, w.gateUp(), a.ffn, t, e, 2 * p, false, true);
            mark("product gate|up");
            if (w.gateUpBias() != 0) glue.addBias(a.ffn, w.gateUpBias(), t, 2 * p, true);
            gen.launch(swigluBf16 ? "ffn_swiglu_apply_bf16" : "ffn_swiglu_apply", 1, t * p, at(a.ffn),
                    at(a.ffn + 4L * t * p), at(swigluBf16 ? a.actB : a.act));
        }
        mark("swiglu");
        if (t == 1) linear(a.act, true, a.actB, w.down(), a.x, t, p, e, true, false); // one row: either layout
        else {
            long act = a.act;
            if (swigluBf16) act = a.actB;
            else if (bf16) {
                glue.toBf16(a.act, a.actB, (long) t * p);
                act = a.actB;
                mark("to bf16");
            }
            blas.linearFromFeatureMajor(act, w.down(), wType, a.x, t, p, e, true);
        }
    }

    /**
     * Whether a one-row step multiplies with a fused GEMV that makes its own input: the RMS norm (and SwiGLU after
     * gate|up), or the head norm and the output gate, of {@code in} features in norm groups of {@code group}, from
     * tensors at or-ed {@code addresses} ({@code -Dxlstm.cuda.gemvFused=false}: separate launches).
     */
    private boolean fusedNorms(int t, int in, int group, long addresses) {
        return fusedGemv && oneRowGemv(t, in) && GemvKernels.fusedFits(in, group, addresses);
    }

    private final boolean fusedGemv = Flags.boolFlag("xlstm.cuda.gemvFused", true);
    /**
     * Whether a few-row decode step's projection writes the cell's layouts and soft-caps the gates in its own launch
     * ({@link RowsGemvKernels#projectParts}; {@code -Dxlstm.cuda.rowsParts=false}: product, split, soft-cap).
     */
    private final boolean partsInOneLaunch = Flags.boolFlag("xlstm.cuda.rowsParts", true);
    /**
     * Whether the fused gate|up of a one-row step writes SwiGLU's output in bf16 for the down product, as the batched
     * steps' cuBLAS path and PyTorch's bf16 model do ({@code -Dxlstm.cuda.gemvActBf16=false}: float32).
     */
    private final boolean actBf16Step = Flags.boolFlag("xlstm.cuda.gemvActBf16", true);

    /**
     * Whether many rows (prompts, batched steps) take the head norm and the output gate in one launch
     * ({@code -Dxlstm.cuda.headNormGate=false}: two).
     */
    private final boolean headNormGate = Flags.boolFlag("xlstm.cuda.headNormGate", true);

    /** Whether a product of {@code t} rows of {@code in} features runs on our GEMV. */
    private boolean oneRowGemv(int t, int in) {
        return gemv != null && ownGemv && GemvKernels.fits(t, in);
    }

    /**
     * {@code y (+)= x Wᵀ} for {@code t} row-major rows of x: our GEMV for one row of bf16 weights, else cuBLAS. x is
     * float32 when {@code xF32} (cuBLAS with bf16 weights then reads its bf16 copy {@code xBf16Copy}, converted here),
     * else already in the weights' dtype; y is (t, out), or (out, t) with {@code featureMajor}.
     */
    private void linear(long x, boolean xF32, long xBf16Copy, long w, long y, int t, int in, int out, boolean accumulate,
            boolean featureMajor) {
        if (oneRowGemv(t, in)) {
            gemv.gemv(x, !xF32, w, 0, y, in, out, 1, accumulate); // one row: both layouts are the same
            return;
        }
        if (!xF32 && !featureMajor && fewRows(t, in, out, false, x | w)) {
            rows.product(x, w, y, t, in, out, out, accumulate);
            return;
        }
        if (xF32 && bf16) {
            glue.toBf16(x, xBf16Copy, (long) t * in);
            x = xBf16Copy;
            mark("to bf16");
        }
        blas.linear(x, w, wType, y, t, in, out, accumulate, featureMajor);
    }

    /**
     * Whether a pass of b rows of s steps multiplies the fused projection part by part straight into the cell's
     * layouts ({@link #projectIntoCellLayouts}) instead of as one product and a split kernel: prompts of
     * {@link #DIRECT_MIN_STEPS} steps or more of at most {@link #DIRECT_MAX_ROWS} rows without q, k, v, o biases
     * ({@code -Dxlstm.cuda.directProjection=false}: always the one product).
     */
    private boolean directProjection(int b, int s, DeviceWeights.Block w) {
        return directProjection && !w.projBias() && s >= DIRECT_MIN_STEPS && b <= DIRECT_MAX_ROWS;
    }

    static final int DIRECT_MIN_STEPS = 64, DIRECT_MAX_ROWS = 8;

    /**
     * Whether the output gate and SwiGLU write the bf16 activations of a cuBLAS product themselves (their generated
     * {@code _bf16} twins) instead of float32 and a conversion ({@code -Dxlstm.cuda.bf16Out=false}).
     */
    private final boolean bf16Out = Flags.boolFlag("xlstm.cuda.bf16Out", true);
    /**
     * Whether, where SwiGLU writes bf16, the gate|up product writes bf16 too and SwiGLU's {@code _bf16io} twin reads
     * it ({@code -Dxlstm.cuda.bf16Ffn=false}: float32 gate and up).
     */
    private final boolean bf16Ffn = Flags.boolFlag("xlstm.cuda.bf16Ffn", true);
    /**
     * Whether, for prompts through the direct projection, the o product and the head norm write bf16 and the output
     * gate's {@code _bf16io} twin reads them ({@code -Dxlstm.cuda.bf16Gate=false}: float32 o and head norm).
     */
    private final boolean bf16Gate = Flags.boolFlag("xlstm.cuda.bf16Gate", true);
    private final boolean directProjection = Flags.boolFlag("xlstm.cuda.directProjection", true);

    /**
     * The fused projection (rows q, k, v, o, i, f of qkvo) of x (b rows of s steps, activations in the weights'
     * type) into the cell's layouts with no split kernel: per row, the query, key and value heads as strided-batched
     * products into (NH, S, DH), the i and f gates as (NH, S) products plus their biases (from the fused bias, whose
     * q, k, v, o parts are zero here; one (2 NH, S) product for a single row); o, (T, DV), in one product, in bf16
     * with {@code oBf16}.
     */
    private void projectIntoCellLayouts(long x, long qkvo, long bias, int b, int s, long q, long k, long v, long o,
            long gates, boolean oBf16) {
        long xRow = (long) s * e * wBytes, wq = qkvo, wk = wq + (long) dqk * e * wBytes, wv = wk + (long) dqk * e * wBytes;
        long wo = wv + (long) dv * e * wBytes, wi = wo + (long) dv * e * wBytes;
        long gateBias = bias + 4L * (2L * dqk + 2L * dv);
        for (int bi = 0; bi < b; bi++) {
            long xb = x + bi * xRow;
            blas.linearHeads(xb, wq, wType, q + 4L * bi * nh * s * dhqk, s, e, dhqk, nh, (long) s * dhqk);
            blas.linearHeads(xb, wk, wType, k + 4L * bi * nh * s * dhqk, s, e, dhqk, nh, (long) s * dhqk);
            blas.linearHeads(xb, wv, wType, v + 4L * bi * nh * s * dhv, s, e, dhv, nh, (long) s * dhv);
            // gates (2, B, NH, S): gate g of row bi is an (NH, S) block, a feature-major product
            if (b == 1) { // the i rows then the f rows of qkvo, and of its bias: one (2 NH, S) product is both
                blas.linear(xb, wi, wType, gates, s, e, 2 * nh, false, true);
                glue.addBias(gates, gateBias, s, 2 * nh, true);
                continue;
            }
            for (int g = 0; g < 2; g++) {
                long gate = gates + 4L * ((long) g * b + bi) * nh * s;
                blas.linear(xb, wi + (long) g * nh * e * wBytes, wType, gate, s, e, nh, false, true);
                glue.addBias(gate, gateBias + 4L * g * nh, s, nh, true);
            }
        }
        blas.linear(x, wo, wType, o, oBf16 ? Cublas.R_16BF : Cublas.R_32F, b * s, e, dv, false, false);
    }

    /** Out norm, LM head and soft-cap of each row's last position into {@code logits}; its arg-max into {@code ids}. */
    private void queueHead(Activations a, int b, int s, long logits, long ids) {
        long hx = a.x;
        if (s > 1) {
            glue.lastRows(a.x, b, s, e, a.last);
            hx = a.last;
        }
        long hn = hx;
        if (weights.outNorm != 0) {
            glue.rmsNorm(hx, weights.outNorm, weights.outNormBias, b, e, normEps, a.lastN, bf16);
            hn = a.lastN;
        } else if (bf16) {
            glue.toBf16(hx, a.lastN, (long) b * e);
            hn = a.lastN;
        }
        mark("out norm");
        long raw = logitCap != null ? a.logitsRaw : logits;
        linear(hn, false, 0, weights.lmHead, raw, b, e, vocab, false, false);
        mark("product lm head");
        if (logitCap != null) gen.launch("softcap_rows_apply", b, vocab, at(raw), at(logits), logitCap);
        choice.argmax(logits, b, vocab, tokenVocab, ids);
        mark("logit soft-cap, arg-max");
    }

    @Override
    public synchronized void close() {
        try {
            if (prefillMem != null) prefillMem.close();
            if (weights != null) weights.close();
            promptIds.close();
        } finally {
            blas.close();
            gen.close();
        }
    }
}
