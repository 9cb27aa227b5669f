package xlstm.runtime.api;

import java.util.BitSet;
import xlstm.runtime.UserError;
import xlstm.runtime.generation.GenerationConfig;
import xlstm.runtime.generation.Sampler;
import xlstm.runtime.generation.SamplingParams;
import xlstm.runtime.model.LargeState;

/**
 * One sequence with its recurrent state: feed tokens or text, sample, generate, feed more, generate again. An
 * xLSTM's state has a fixed size whatever the length of the sequence, so a long conversation costs no
 * re-processing of earlier turns: each turn feeds only its new tokens.
 *
 * <p>The state holds every token fed and every token generated and shown; a generated token is fed lazily, with
 * the next {@link #feed} (or the next step), so ending a turn costs no extra step. The EOS token that ends a
 * generation is not fed. Not thread-safe: one thread per session.
 */
public final class Session implements AutoCloseable {
    private final XlstmModel lm;
    private final LargeState state;
    private final BitSet history = new BitSet();
    private PassOutput last;        // after the last token fed; null before the first feed
    private long pending = -1;     // generated, shown, not yet fed
    private long tokens;           // fed so far
    private long lastFeedNanos;
    private int lastFeedTokens;
    private int generations;

    Session(XlstmModel lm) {
        this.lm = lm;
        this.state = lm.newState(1);
    }

    public XlstmModel model() { return lm; }

    /** Tokens in the state (fed, including BOS and generated ones once fed). */
    public long tokens() { return tokens + (pending >= 0 ? 1 : 0); }

    /** True before anything was fed (or after {@link #reset()}). */
    public boolean isEmpty() { return last == null && pending < 0; }

    /**
     * Frees what the session holds outside the Java heap: its recurrent state on the GPU when the model runs there
     * (otherwise freed once the session is collected). The session must not be used afterwards.
     */
    @Override
    public void close() {
        lm.forget(state);
    }

    /** Back to a zero state. */
    public void reset() {
        lm.reset(state);
        history.clear();
        last = null;
        pending = -1;
        tokens = 0;
        generations = 0;
    }

    /** Feeds token ids (a prompt, or the next user turn); the ids must be in the vocabulary. */
    public void feed(long... ids) {
        long t0 = System.nanoTime();
        lm.checkIds(ids);
        long[] all = ids;
        if (pending >= 0) {
            all = new long[ids.length + 1];
            all[0] = pending;
            System.arraycopy(ids, 0, all, 1, ids.length);
            pending = -1;
        }
        if (all.length == 0) return;
        last = lm.prefill(state, all);
        for (long id : all) history.set((int) id);
        tokens += all.length;
        lastFeedNanos = System.nanoTime() - t0;
        lastFeedTokens = ids.length;
    }

    /**
     * Feeds text: the first text of a session is encoded as a prompt (the tokenizer's special tokens and the
     * checkpoint's BOS rule); later text continues the sequence (no special tokens). Returns the ids fed.
     */
    public long[] feed(String text) {
        long[] ids = isEmpty() ? lm.encodePrompt(text) : lm.requireTokenizer().encode(text, false);
        if (ids.length == 0 && isEmpty()) throw new UserError("the prompt is empty (no tokens, and no BOS rule)");
        feed(ids);
        return ids;
    }

    /** The logits after the last token fed (a copy), for custom sampling. */
    public float[] logits() {
        ensureLogits();
        return last.logits().clone();
    }

    /** Picks the next token from the current logits with {@code p}, without feeding it (see {@link #accept}). */
    public int sample(SamplingParams p) {
        ensureLogits();
        Sampler s = new Sampler(p, lm.vocabSize(), lm.allowedVocab());
        history.stream().forEach(s::observe);
        return s.next(last.logits().clone(), 0);
    }

    /** Feeds one chosen token (e.g. from {@link #sample}). */
    public void accept(int tokenId) { feed(tokenId); }

    private void ensureLogits() {
        if (pending >= 0) feed(new long[0]);
        if (last == null) throw new UserError("nothing fed yet: feed a prompt before sampling");
    }

    /** Feeds {@code prompt} as text and generates (timings include the prefill). */
    public Completion complete(String prompt, GenerateOptions options, StreamListener listener) {
        long t0 = System.nanoTime();
        feed(prompt);
        return generate(options, listener, t0, lastFeedTokens, lastFeedNanos);
    }

    /** Feeds {@code prompt} ids and generates (timings include the prefill). */
    public Completion complete(long[] prompt, GenerateOptions options, StreamListener listener) {
        long t0 = System.nanoTime();
        feed(prompt);
        return generate(options, listener, t0, lastFeedTokens, lastFeedNanos);
    }

    /** Generates from what was fed so far. */
    public Completion generate(GenerateOptions options, StreamListener listener) {
        long t0 = System.nanoTime();
        ensureLogits();
        return generate(options, listener, t0, 0, 0);
    }

    private Completion generate(GenerateOptions options, StreamListener listener, long t0, int promptTokens,
                                long prefillNanos) {
        GenerateOptions o = options == null ? GenerateOptions.greedy(20) : options;
        StreamListener l = listener == null ? StreamListener.NONE : listener;
        if (!o.stop().isEmpty()) lm.requireTokenizer();
        ensureLogits();
        SamplingParams sp = o.sampling();
        if (generations > 0) sp = sp.withSeed(sp.seed() + 0x9E3779B97F4A7C15L * generations);
        generations++;
        Sampler sampler = new Sampler(sp, lm.vocabSize(), lm.allowedVocab());
        boolean deviceGreedy = lm.greedyOnDevice(sp); // the GPU's arg-max: 8 bytes read a token, not the logits
        boolean deviceDraw = lm.drawOnDevice(sp); // the GPU's draw with the sampler's number: 8 bytes read a token
        boolean deviceTopK = lm.topKOnDevice(sp); // the GPU's top-k candidates, not the logits
        int k = sp.topK();
        history.stream().forEach(sampler::observe);
        GenerationConfig g = lm.generationConfig();
        GenerationRow out = new GenerationRow(0, o, g, lm.tokenizer(), l, t0);
        for (int i = 0; !out.done(); i++) {
            if (i > 0) {
                last = lm.step(state, new long[] {pending});
                history.set((int) pending);
                tokens++;
                pending = -1;
            }
            int tok = deviceGreedy ? (int) last.greedyTokens()[0]
                    : deviceDraw ? (int) last.drawnTokens(sp, new double[] {sampler.nextUniform()})[0]
                    : deviceTopK ? sampler.nextFromTop(last.topK(k).values(), last.topK(k).ids(), 0, k)
                    : sampler.next(last.logits().clone(), 0);
            if (!(o.stopAtEos() && g.isEos(tok))) pending = tok; // kept, so fed with what comes next (not EOS)
            out.accept(tok);
        }
        return out.completion(promptTokens, prefillNanos);
    }

    @Override
    public String toString() { return "Session[" + tokens() + " tokens]"; }

}
