package xlstm.runtime.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.lang.foreign.MemorySegment;
import xlstm.backends.DType;
import xlstm.backends.cpu.CpuElementwise;
import xlstm.backends.cpu.CpuEmbedding;
import xlstm.backends.cpu.CpuLayout;
import xlstm.backends.cpu.CpuLinear;
import xlstm.backends.cpu.CpuNorms;
import xlstm.backends.cpu.DecodeProfile;
import xlstm.backends.cpu.FusedLinear;
import xlstm.runtime.UserError;
import xlstm.runtime.backend.JavaKernels;
import xlstm.runtime.backend.KernelBackend;
import xlstm.runtime.backend.KernelBackends;
import xlstm.runtime.config.ActivationFn;
import xlstm.runtime.config.XlstmLargeConfig;
import xlstm.runtime.io.WeightStore;
import xlstm.runtime.ops.CpuOps;
import xlstm.runtime.tensor.Tensor;

/**
 * xLSTM Large, the xLSTM 7B architecture (SPEC §4), for inference in float32 with float32 or bf16 weights.
 * A forward pass over S tokens continues from the given state: S = 1 runs the recurrent step, S > 1 the
 * chunkwise form with {@code chunk_size}; both carry the float32 state exactly like the reference's
 * inference mode. Weight modes "single" and "fused" are read as their names say; fused matrices are split
 * into views at load, so both modes compute the same products.
 */
public final class XlstmLarge {
    private final XlstmLargeConfig cfg;
    private final int e, nh, dqk, dv, dhqk, dhhv, vocab, chunk;
    private final float normEps, cellEps;
    private final Float gateCap, logitCap;
    private final Tensor embedding;
    private final List<LargeBlock> blocks;
    private final Tensor outNormW, outNormB; // null without add_out_norm
    private final Tensor lmHead;
    private final Kernels kernels;

    private XlstmLarge(XlstmLargeConfig cfg, Weights w, boolean tie, KernelBackend backend) {
        this.cfg = cfg;
        this.kernels = new Kernels(backend);
        e = cfg.embeddingDim();
        nh = cfg.numHeads();
        dqk = cfg.qkDim();
        dv = cfg.vDim();
        dhqk = dqk / nh;
        dhhv = dv / nh;
        vocab = cfg.vocabSize();
        chunk = cfg.chunkSize();
        normEps = (float) cfg.normEps();
        cellEps = (float) cfg.eps();
        gateCap = softCap(cfg.gateSoftCap());
        logitCap = softCap(cfg.outputLogitSoftCap());
        if (w.has("embedding.weight")) {
            embedding = w.matrix("embedding.weight", vocab, e);
        } else if (w.has("backbone.embeddings.weight")) {
            embedding = w.matrix("backbone.embeddings.weight", vocab, e);
        } else if (tie && w.has("lm_head.weight")) {
            // safetensors keeps one name of a shared tensor: a tied checkpoint may hold only the head's
            embedding = w.matrix("lm_head.weight", vocab, e);
        } else {
            throw new UserError(w.source() + ": the token embedding is missing (tensor 'embedding.weight', or"
                    + " 'backbone.embeddings.weight' in a Hugging Face checkpoint), expected shape [" + vocab + ", "
                    + e + "]");
        }
        List<LargeBlock> bl = new ArrayList<>();
        for (int i = 0; i < cfg.numBlocks(); i++) bl.add(new LargeBlock(w.at("backbone.blocks." + i + ".")));
        blocks = List.copyOf(bl);
        if (cfg.addOutNorm()) {
            outNormW = w.vector("backbone.out_norm.weight", e);
            outNormB = cfg.useBias() ? w.vector("backbone.out_norm.bias", e) : null;
        } else {
            outNormW = null;
            outNormB = null;
        }
        if (tie) {
            w.optional("lm_head.weight", vocab, e);
            lmHead = embedding;
        } else {
            lmHead = w.matrix("lm_head.weight", vocab, e);
        }
    }

    /**
     * Builds the model from {@code w} (keys as the reference's {@code state_dict}; the embedding may be
     * {@code embedding.weight} or the Hugging Face {@code backbone.embeddings.weight}).
     */
    public static XlstmLarge load(XlstmLargeConfig cfg, WeightStore w) {
        return load(cfg, w, false);
    }

    /**
     * As {@link #load(XlstmLargeConfig, WeightStore)}; with {@code tieWordEmbeddings} (HF
     * {@code tie_word_embeddings}) the LM head is the embedding matrix and a stored {@code lm_head.weight}
     * is ignored. Extra tensors are a {@link UserError}.
     */
    public static XlstmLarge load(XlstmLargeConfig cfg, WeightStore w, boolean tieWordEmbeddings) {
        return load(cfg, w, tieWordEmbeddings, KernelBackends.byDefault());
    }

    /**
     * As {@link #load(XlstmLargeConfig, WeightStore, boolean)}, with the cell and pointwise kernels on
     * {@code backend} (the other forms take {@link KernelBackends#byDefault()}: {@code -Dxlstm.backend}, else the
     * best available). Matrix products, norms and the embedding run in Java on every backend.
     */
    public static XlstmLarge load(XlstmLargeConfig cfg, WeightStore w, boolean tieWordEmbeddings, KernelBackend backend) {
        Weights ws = new Weights(w, "");
        XlstmLarge model = new XlstmLarge(cfg, ws, tieWordEmbeddings, backend);
        ws.checkAllUsed("");
        return model;
    }

    /**
     * A soft-cap value, or null for none: a cap {@code <= 0} (or not finite) means no cap. (The reference
     * skips the cap only for {@code None}; its formula {@code c·tanh(x/c)} is degenerate at 0.)
     */
    static Float softCap(double cap) {
        if (!(cap > 0) || Double.isInfinite(cap)) return null;
        return (float) cap;
    }

    public XlstmLargeConfig config() { return cfg; }

    /** The backend the cell and pointwise kernels run on. */
    public KernelBackend backend() { return kernels.backend(); }

    /**
     * The weights of one block by role, as loaded (views into a fused matrix in weight mode "fused"; a bias is null
     * where the model has none): what another device needs to hold the model.
     */
    public record BlockTensors(Tensor normMlstm, Tensor normMlstmBias, Tensor normFfn, Tensor normFfnBias, Tensor q,
            Tensor qBias, Tensor k, Tensor kBias, Tensor v, Tensor vBias, Tensor ogate, Tensor ogateBias, Tensor igate,
            Tensor igateBias, Tensor fgate, Tensor fgateBias, Tensor headNorm, Tensor headNormBias, Tensor out,
            Tensor outBias, Tensor ffnGate, Tensor ffnGateBias, Tensor ffnUp, Tensor ffnUpBias, Tensor ffnDown,
            Tensor ffnDownBias) {}

    /** Block {@code i}'s weights. */
    public BlockTensors blockTensors(int i) {
        LargeBlock b = blocks.get(i);
        return new BlockTensors(b.normMW, b.normMB, b.normFW, b.normFB, b.qW, b.qB, b.kW, b.kB, b.vW, b.vB, b.oW, b.oB,
                b.igW, b.igB, b.fgW, b.fgB, b.mhnW, b.mhnB, b.outW, b.outB, b.gateW, b.gateB, b.upW, b.upB, b.downW,
                b.downB);
    }

    /** The token embedding (V, E). */
    public Tensor embeddingWeight() { return embedding; }

    /** The LM head (V, E): the embedding itself when tied. */
    public Tensor lmHeadWeight() { return lmHead; }

    /** The out norm's weight, or null without {@code add_out_norm}. */
    public Tensor outNormWeight() { return outNormW; }

    /** The out norm's bias, or null. */
    public Tensor outNormBias() { return outNormB; }

    /** A zero state for {@code batch} sequences. */
    public LargeState newState(int batch) {
        if (batch <= 0) throw new UserError("batch size must be positive, got " + batch);
        List<Tensor> c = new ArrayList<>(), n = new ArrayList<>(), m = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i++) {
            c.add(Tensor.zeros(batch, nh, dhqk, dhhv));
            n.add(Tensor.zeros(batch, nh, dhqk));
            m.add(Tensor.zeros(batch, nh, 1));
        }
        return new LargeState(batch, c, n, m);
    }

    /**
     * Token ids (B,S) -> soft-capped logits (B,S,V) float32, continuing from {@code state} (null: from zeros),
     * whose tensors are updated in place.
     */
    public Tensor forward(Tensor inputIds, LargeState state) {
        if (state != null && isStep(inputIds)) return stepCopy(inputIds, state);
        Tensor h = hidden(inputIds, state);
        return logits(h);
    }

    /**
     * As {@link #forward}, but only the logits of the last position, (B,1,V): what generation needs, without the
     * (B,S,V) logits of a long prompt.
     */
    public Tensor forwardLast(Tensor inputIds, LargeState state) {
        if (state != null && isStep(inputIds)) return stepCopy(inputIds, state);
        Tensor h = hidden(inputIds, state);
        return logits(h.dim(1) == 1 ? h : lastPosition(h));
    }

    private static boolean isStep(Tensor ids) {
        return ids.rank() == 2 && ids.dim(1) == 1 && (ids.dtype() == DType.I64 || ids.dtype() == DType.I32);
    }

    /** {@link #step} with the logits copied out of the state's buffers, as (B,1,V). */
    private Tensor stepCopy(Tensor inputIds, LargeState state) {
        int b = Math.toIntExact(inputIds.dim(0));
        checkState(state, b);
        LargeStepBuffers bf = buffers(state);
        for (int r = 0; r < b; r++) bf.ids.data().setAtIndex(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, r, inputIds.getLong(r));
        runStep(bf, state);
        Tensor out = Tensor.zeros(b, 1, vocab);
        MemorySegment.copy(bf.logits.data(), 0, out.data(), 0, bf.logits.data().byteSize());
        return out;
    }

    /**
     * One decode step: one token per row ({@code ids.length} = the state's batch) through the recurrent step, the
     * state updated in place. Returns the soft-capped logits (B, V), a tensor owned by {@code state} and overwritten
     * by its next step; the step allocates no tensors (its activations live in the state, made on the first step).
     */
    public Tensor step(long[] ids, LargeState state) {
        checkState(state, ids.length);
        LargeStepBuffers bf = buffers(state);
        MemorySegment.copy(ids, 0, bf.ids.data(), java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, 0, ids.length);
        runStep(bf, state);
        return bf.logits;
    }

    private LargeStepBuffers buffers(LargeState state) {
        LargeStepBuffers bf = state.buffers;
        if (bf == null || bf.batch != state.batch()) {
            bf = new LargeStepBuffers(state.batch(), e, nh, dqk, dv, cfg.ffnUpProjDim(), vocab);
            state.buffers = bf;
        }
        return bf;
    }

    private void runStep(LargeStepBuffers bf, LargeState state) {
        int b = bf.batch;
        DecodeProfile.stepBegin();
        DecodeProfile.begin();
        try {
            CpuEmbedding.embedding(embedding.data(), 0, embedding.dtype() == DType.BF16, vocab, e, bf.ids.data(), 0,
                    true, b, bf.x.data(), 0);
        } catch (IndexOutOfBoundsException ex) {
            throw new UserError(ex.getMessage());
        }
        DecodeProfile.end(DecodeProfile.EMBEDDING, (long) b * e * embedding.dtype().byteSize());
        for (int i = 0; i < blocks.size(); i++) blocks.get(i).step(bf, state.c(i), state.n(i), state.m(i));
        MemorySegment hs = bf.x.data();
        if (outNormW != null) {
            DecodeProfile.begin();
            CpuNorms.rmsNorm(bf.x.data(), 0, bf.xn.data(), 0, b, e, outNormW.data(), 0, seg(outNormB), 0, normEps);
            DecodeProfile.end(DecodeProfile.NORM, bytes(outNormW) + bytes(outNormB));
            hs = bf.xn.data();
        }
        DecodeProfile.begin();
        CpuLinear.linear(hs, 0, b, e, lmHead.data(), 0, lmHead.dtype() == DType.BF16, vocab, null, 0,
                bf.logits.data(), 0);
        DecodeProfile.end(DecodeProfile.LM_HEAD, bytes(lmHead));
        if (logitCap != null) {
            DecodeProfile.begin();
            softcapInPlace(b, vocab, bf.logits.data(), bf.raw.data(), logitCap);
            DecodeProfile.end(DecodeProfile.LOGIT_CAP, 0);
        }
        DecodeProfile.stepEnd();
    }

    /** A tensor's stored bytes (0 for null): what a decode step streams of a weight. */
    private static long bytes(Tensor t) { return t == null ? 0 : t.numel() * t.dtype().byteSize(); }

    private static MemorySegment seg(Tensor t) { return t == null ? null : t.data(); }

    private static FusedLinear.Part part(Tensor w, Tensor b) {
        return new FusedLinear.Part(w.data(), 0, w.dtype() == DType.BF16, Math.toIntExact(w.dim(0)), seg(b), 0);
    }

    private void checkState(LargeState state, int b) {
        if (state.blocks() != blocks.size() || state.batch() != b || state.c(0).dim(1) != nh
                || state.c(0).dim(2) != dhqk || state.c(0).dim(3) != dhhv) {
            throw new UserError("state with C " + Arrays.toString(state.c(0).shape()) + " for " + state.blocks()
                    + " blocks does not fit this model (" + blocks.size() + " blocks, C (B, " + nh + ", " + dhqk
                    + ", " + dhhv + ")) and input batch " + b);
        }
    }

    /**
     * Final hidden states (B,S,E) after the out norm; updates {@code state}. The tensor is a view of the state's
     * prefill buffers (of a fresh state's when null), valid until its next pass.
     */
    private Tensor hidden(Tensor inputIds, LargeState state) {
        if (inputIds.rank() != 2 || inputIds.dim(1) < 1) {
            throw new UserError("input ids must have shape (B, S) with S >= 1, got " + Arrays.toString(inputIds.shape()));
        }
        if (inputIds.dtype() != DType.I64 && inputIds.dtype() != DType.I32) {
            throw new UserError("input ids must be integers (int64), got " + inputIds.dtype());
        }
        int b = Math.toIntExact(inputIds.dim(0)), s = Math.toIntExact(inputIds.dim(1));
        if (state == null) state = newState(b);
        checkState(state, b);
        int rows = b * s;
        LargePrefillBuffers bf = state.prefill;
        if (bf == null || !bf.fits(rows)) {
            bf = new LargePrefillBuffers(rows, e, nh, dqk, dv, cfg.ffnUpProjDim());
            state.prefill = bf;
        }
        try {
            CpuEmbedding.embedding(embedding.data(), 0, embedding.dtype() == DType.BF16, vocab, e, inputIds.data(), 0,
                    inputIds.dtype() == DType.I64, rows, bf.x.data(), 0);
        } catch (IndexOutOfBoundsException ex) {
            throw new UserError(ex.getMessage());
        }
        for (int i = 0; i < blocks.size(); i++) blocks.get(i).forward(bf, b, s, state.c(i), state.n(i), state.m(i));
        Tensor x = bf.x;
        if (outNormW != null) {
            CpuNorms.rmsNorm(bf.x.data(), 0, bf.xn.data(), 0, rows, e, outNormW.data(), 0, seg(outNormB), 0, normEps);
            x = bf.xn;
        }
        return Tensor.wrap(x.data().asSlice(0, 4L * rows * e), DType.F32, b, s, e);
    }

    private Tensor logits(Tensor h) {
        int rows = Math.toIntExact(h.numel() / e);
        // every logit is written by the product: no zero fill (for a prefill that is hundreds of MB on one thread)
        Tensor y = Tensor.empty(DType.F32, h.dim(0), h.dim(1), vocab);
        CpuLinear.linear(h.data(), 0, rows, e, lmHead.data(), 0, lmHead.dtype() == DType.BF16, vocab, null, 0,
                y.data(), 0);
        // in place: a prefill's logits are (B, S, V), hundreds of MB, not worth a second tensor
        if (logitCap != null && kernels.backend() instanceof JavaKernels) {
            kernels.backend().softcapRows(Math.toIntExact(y.numel() / vocab), vocab, y.data(), y.data(), logitCap);
            return y;
        }
        return kernels.softcap(y, logitCap);
    }

    /**
     * {@code x = cap·tanh(x / cap)} for rows × n floats. The generated Java kernel may write its input; another
     * backend gets a copy of x in {@code scratch} as its input, so no backend sees one buffer as both.
     */
    private void softcapInPlace(int rows, int n, MemorySegment x, MemorySegment scratch, float cap) {
        KernelBackend kb = kernels.backend();
        if (kb instanceof JavaKernels) {
            kb.softcapRows(rows, n, x, x, cap);
        } else {
            MemorySegment in = scratch.asSlice(0, 4L * rows * n);
            MemorySegment.copy(x, 0, in, 0, in.byteSize());
            kb.softcapRows(rows, n, in, x.asSlice(0, in.byteSize()), cap);
        }
    }

    /**
     * Greedy generation as the reference {@code generate}: the prefix (B rows of equal length) is run once,
     * then each arg-max token is fed back alone. Returns the {@code maxNewTokens} new tokens per row (not the
     * prefix). An empty prefix starts from token 0 (the reference's BOS default).
     */
    public long[][] generateGreedy(long[][] prefix, int maxNewTokens) {
        if (prefix == null || prefix.length == 0) throw new UserError("generation needs at least one prefix row");
        int b = prefix.length, s = prefix[0].length;
        for (long[] row : prefix) {
            if (row.length != s) throw new UserError("all prefix rows must have the same length");
        }
        long[][] out = new long[b][Math.max(0, maxNewTokens)];
        if (maxNewTokens <= 0) return out;
        long[] flat = new long[b * Math.max(s, 1)];
        if (s > 0) for (int r = 0; r < b; r++) System.arraycopy(prefix[r], 0, flat, r * s, s);
        Tensor ids = Tensor.ofLongs(flat, b, Math.max(s, 1));
        LargeState state = newState(b);
        Tensor h = hidden(ids, state);
        long[] next = CpuOps.argmaxLast(logits(h.dim(1) == 1 ? h : lastPosition(h)));
        state.dropPrefillBuffers(); // only steps follow
        for (int t = 0; ; ) {
            for (int r = 0; r < b; r++) out[r][t] = next[r];
            if (++t == maxNewTokens) break;
            next = CpuOps.argmaxLast(step(next, state)); // the decode step on the state's buffers
        }
        return out;
    }

    private static Tensor lastPosition(Tensor h) {
        int b = Math.toIntExact(h.dim(0)), s = Math.toIntExact(h.dim(1)), d = Math.toIntExact(h.dim(2));
        Tensor y = Tensor.zeros(b, 1, d);
        for (int r = 0; r < b; r++) {
            java.lang.foreign.MemorySegment.copy(h.data(), ((long) r * s + s - 1) * d * 4, y.data(), (long) r * d * 4, d * 4L);
        }
        return y;
    }

    /** One mLSTM block: pre-RMSNorm mLSTM layer and pre-RMSNorm SwiGLU feed-forward, both residual. */
    private final class LargeBlock {
        private final Tensor normMW, normMB, normFW, normFB;
        private final Tensor qW, qB, kW, kB, vW, vB, oW, oB;
        private final Tensor igW, igB, fgW, fgB;
        private final Tensor mhnW, mhnB, outW, outB;
        private final Tensor gateW, gateB, upW, upB, downW, downB;
        private final FusedLinear mlstmIn, ffnIn;
        /** The layers of {@link #mlstmIn} and {@link #ffnIn}, for the prefill's products over many rows. */
        private final FusedLinear.Part[] mlstmParts, ffnParts;

        LargeBlock(Weights w) {
            boolean bias = cfg.useBias();
            int p = cfg.ffnUpProjDim();
            normMW = w.vector("norm_mlstm.weight", e);
            normMB = bias ? w.vector("norm_mlstm.bias", e) : null;
            normFW = w.vector("norm_ffn.weight", e);
            normFB = bias ? w.vector("norm_ffn.bias", e) : null;
            Weights l = w.at("mlstm_layer.");
            if (cfg.fused()) {
                long rows = 2L * dqk + 2L * dv;
                Tensor qkvo = l.matrix("qkv_opreact.weight", rows, e);
                Tensor qkvoB = bias ? l.vector("qkv_opreact.bias", rows) : null;
                long[] at = {0, dqk, 2L * dqk, 2L * dqk + dv, rows};
                qW = qkvo.narrow0(at[0], at[1]);
                kW = qkvo.narrow0(at[1], at[2]);
                vW = qkvo.narrow0(at[2], at[3]);
                oW = qkvo.narrow0(at[3], at[4]);
                qB = qkvoB == null ? null : qkvoB.narrow0(at[0], at[1]);
                kB = qkvoB == null ? null : qkvoB.narrow0(at[1], at[2]);
                vB = qkvoB == null ? null : qkvoB.narrow0(at[2], at[3]);
                oB = qkvoB == null ? null : qkvoB.narrow0(at[3], at[4]);
                Tensor ifW = l.matrix("ifgate_preact.weight", 2L * nh, e);
                Tensor ifB = l.vector("ifgate_preact.bias", 2L * nh);
                igW = ifW.narrow0(0, nh);
                fgW = ifW.narrow0(nh, 2L * nh);
                igB = ifB.narrow0(0, nh);
                fgB = ifB.narrow0(nh, 2L * nh);
                Tensor gz = w.matrix("ffn.proj_up_gate_z.weight", 2L * p, e);
                Tensor gzB = bias ? w.vector("ffn.proj_up_gate_z.bias", 2L * p) : null;
                gateW = gz.narrow0(0, p);
                upW = gz.narrow0(p, 2L * p);
                gateB = gzB == null ? null : gzB.narrow0(0, p);
                upB = gzB == null ? null : gzB.narrow0(p, 2L * p);
            } else {
                qW = l.matrix("q.weight", dqk, e);
                kW = l.matrix("k.weight", dqk, e);
                vW = l.matrix("v.weight", dv, e);
                oW = l.matrix("ogate_preact.weight", dv, e);
                qB = bias ? l.vector("q.bias", dqk) : null;
                kB = bias ? l.vector("k.bias", dqk) : null;
                vB = bias ? l.vector("v.bias", dv) : null;
                oB = bias ? l.vector("ogate_preact.bias", dv) : null;
                igW = l.matrix("igate_preact.weight", nh, e);
                igB = l.vector("igate_preact.bias", nh);
                fgW = l.matrix("fgate_preact.weight", nh, e);
                fgB = l.vector("fgate_preact.bias", nh);
                gateW = w.matrix("ffn.proj_up_gate.weight", p, e);
                upW = w.matrix("ffn.proj_up.weight", p, e);
                gateB = bias ? w.vector("ffn.proj_up_gate.bias", p) : null;
                upB = bias ? w.vector("ffn.proj_up.bias", p) : null;
            }
            mhnW = l.vector("multihead_norm.weight", dv);
            mhnB = bias ? l.vector("multihead_norm.bias", dv) : null;
            outW = l.matrix("out_proj.weight", e, dv);
            outB = bias ? l.vector("out_proj.bias", e) : null;
            downW = w.matrix("ffn.proj_down.weight", e, p);
            downB = bias ? w.vector("ffn.proj_down.bias", e) : null;
            mlstmParts = new FusedLinear.Part[] {part(qW, qB), part(kW, kB), part(vW, vB), part(oW, oB),
                    part(igW, igB), part(fgW, fgB)};
            ffnParts = new FusedLinear.Part[] {part(gateW, gateB), part(upW, upB)};
            mlstmIn = new FusedLinear(e, List.of(mlstmParts));
            ffnIn = new FusedLinear(e, List.of(ffnParts));
            normBytes = bytes(normMW) + bytes(normMB);
            normFBytes = bytes(normFW) + bytes(normFB);
            mlstmInBytes = bytes(qW) + bytes(qB) + bytes(kW) + bytes(kB) + bytes(vW) + bytes(vB) + bytes(oW) + bytes(oB)
                    + bytes(igW) + bytes(igB) + bytes(fgW) + bytes(fgB);
            headNormBytes = bytes(mhnW) + bytes(mhnB);
            outBytes = bytes(outW) + bytes(outB);
            ffnInBytes = bytes(gateW) + bytes(gateB) + bytes(upW) + bytes(upB);
            downBytes = bytes(downW) + bytes(downB);
        }

        /** Bytes of weights each decode operation streams, for {@link DecodeProfile}. */
        private final long normBytes, normFBytes, mlstmInBytes, headNormBytes, outBytes, ffnInBytes, downBytes;

        /** {@link #forward} of one token per row on the step buffers: the result replaces {@code bf.x}. */
        void step(LargeStepBuffers bf, Tensor c, Tensor n, Tensor m) {
            int b = bf.batch, p = cfg.ffnUpProjDim();
            KernelBackend kb = kernels.backend();
            MemorySegment x = bf.x.data(), y = bf.y.data();
            // DecodeProfile's hooks: one static boolean read each when it is off
            DecodeProfile.begin();
            CpuNorms.rmsNorm(x, 0, bf.xn.data(), 0, b, e, normMW.data(), 0, seg(normMB), 0, normEps);
            DecodeProfile.end(DecodeProfile.NORM, normBytes);
            DecodeProfile.begin();
            mlstmIn.apply(bf.xn.data(), 0, b, bf.mlstmOut);
            DecodeProfile.end(DecodeProfile.MLSTM_IN, mlstmInBytes);
            if (gateCap != null) {
                DecodeProfile.begin();
                softcapInPlace(b, nh, bf.ig.data(), bf.raw.data(), gateCap);
                softcapInPlace(b, nh, bf.fg.data(), bf.raw.data(), gateCap);
                DecodeProfile.end(DecodeProfile.GATE_CAP, 0);
            }
            DecodeProfile.begin();
            kb.mlstmStep(b, nh, dhqk, dhhv, bf.q.data(), bf.k.data(), bf.v.data(), bf.ig.data(), bf.fg.data(),
                    c.data(), n.data(), m.data(), bf.h.data(), cellEps);
            // the state is read and written
            DecodeProfile.end(DecodeProfile.CELL, 2 * (bytes(c) + bytes(n) + bytes(m)));
            DecodeProfile.begin();
            CpuNorms.groupNorm(bf.h.data(), 0, bf.hn.data(), 0, b, nh, dhhv, mhnW.data(), 0, seg(mhnB), 0, normEps,
                    false);
            DecodeProfile.end(DecodeProfile.HEAD_NORM, headNormBytes);
            DecodeProfile.begin();
            kb.sigmoidGate(b, dv, bf.o.data(), bf.hn.data(), bf.gated.data());
            DecodeProfile.end(DecodeProfile.OUT_GATE, 0);
            DecodeProfile.begin();
            CpuLinear.linear(bf.gated.data(), 0, b, dv, outW.data(), 0, outW.dtype() == DType.BF16, e, seg(outB), 0,
                    y, 0);
            DecodeProfile.end(DecodeProfile.OUT_PROJ, outBytes);
            DecodeProfile.begin();
            CpuElementwise.add(y, 0, x, 0, y, 0, (long) b * e);
            DecodeProfile.end(DecodeProfile.RESIDUAL, 0);
            DecodeProfile.begin();
            CpuNorms.rmsNorm(y, 0, bf.yn.data(), 0, b, e, normFW.data(), 0, seg(normFB), 0, normEps);
            DecodeProfile.end(DecodeProfile.NORM, normFBytes);
            DecodeProfile.begin();
            ffnIn.apply(bf.yn.data(), 0, b, bf.ffnOut);
            DecodeProfile.end(DecodeProfile.FFN_IN, ffnInBytes);
            DecodeProfile.begin();
            kb.gatedActivation(ActivationFn.SWISH, b, p, bf.g.data(), bf.u.data(), bf.act.data());
            DecodeProfile.end(DecodeProfile.SWIGLU, 0);
            DecodeProfile.begin();
            CpuLinear.linear(bf.act.data(), 0, b, p, downW.data(), 0, downW.dtype() == DType.BF16, e, seg(downB), 0,
                    bf.down.data(), 0);
            DecodeProfile.end(DecodeProfile.DOWN, downBytes);
            DecodeProfile.begin();
            CpuElementwise.add(bf.down.data(), 0, y, 0, x, 0, (long) b * e);
            DecodeProfile.end(DecodeProfile.RESIDUAL, 0);
        }

        /**
         * The block over B rows of S tokens on the prefill buffers: {@code bf.x} (B·S, E) is its input and is
         * replaced by its output. The operations and their order are those of the reference's block.
         */
        void forward(LargePrefillBuffers bf, int b, int s, Tensor c, Tensor n, Tensor m) {
            int rows = b * s, p = cfg.ffnUpProjDim();
            KernelBackend kb = kernels.backend();
            MemorySegment x = bf.x.data(), xn = bf.xn.data(), y = bf.y.data();
            CpuNorms.rmsNorm(x, 0, xn, 0, rows, e, normMW.data(), 0, seg(normMB), 0, normEps);
            CpuLinear.linears(xn, 0, rows, e, mlstmParts, bf.mlstmOut);
            if (gateCap != null) {
                softcapInPlace(rows, nh, bf.ig.data(), bf.raw.data(), gateCap);
                softcapInPlace(rows, nh, bf.fg.data(), bf.raw.data(), gateCap);
            }
            MemorySegment hs; // the cell's output as rows (B·S, NH·DV)
            if (s == 1) {
                // (B,1,NH*D) rows are already (B,NH,D); gates (B,1,NH) are (B,NH)
                kb.mlstmStep(b, nh, dhqk, dhhv, bf.q.data(), bf.k.data(), bf.v.data(), bf.ig.data(), bf.fg.data(),
                        c.data(), n.data(), m.data(), bf.h.data(), cellEps);
                hs = bf.h.data();
            } else {
                CpuLayout.toHeads(bf.q.data(), 0, bf.qh.data(), 0, b, s, nh, dhqk, 4);
                CpuLayout.toHeads(bf.k.data(), 0, bf.kh.data(), 0, b, s, nh, dhqk, 4);
                CpuLayout.toHeads(bf.v.data(), 0, bf.vh.data(), 0, b, s, nh, dhhv, 4);
                CpuLayout.toHeads(bf.ig.data(), 0, bf.it.data(), 0, b, s, nh, 1, 4);
                CpuLayout.toHeads(bf.fg.data(), 0, bf.ft.data(), 0, b, s, nh, 1, 4);
                kb.mlstmChunkwise(b, nh, s, dhqk, dhhv, chunk, bf.qh.data(), bf.kh.data(), bf.vh.data(),
                        bf.it.data(), bf.ft.data(), c.data(), n.data(), m.data(), bf.h.data(), cellEps);
                CpuLayout.fromHeads(bf.h.data(), 0, bf.hs.data(), 0, b, nh, s, dhhv, 4);
                hs = bf.hs.data();
            }
            CpuNorms.groupNorm(hs, 0, bf.hn.data(), 0, rows, nh, dhhv, mhnW.data(), 0, seg(mhnB), 0, normEps, false);
            MemorySegment gated = bf.hs.data(); // hs is dead once normed
            kb.sigmoidGate(rows, dv, bf.o.data(), bf.hn.data(), gated);
            linear(gated, rows, dv, outW, outB, bf.y);
            CpuElementwise.add(y, 0, x, 0, y, 0, (long) rows * e);
            CpuNorms.rmsNorm(y, 0, xn, 0, rows, e, normFW.data(), 0, seg(normFB), 0, normEps);
            CpuLinear.linears(xn, 0, rows, e, ffnParts, bf.ffnOut);
            kb.gatedActivation(ActivationFn.SWISH, rows, p, bf.g.data(), bf.u.data(), bf.act.data());
            linear(bf.act.data(), rows, p, downW, downB, bf.xn); // the normed input is dead: xn takes the down projection
            CpuElementwise.add(xn, 0, y, 0, x, 0, (long) rows * e);
        }

        /** out (rows, W's rows) = x (rows, in) · Wᵀ + bias. */
        private static void linear(MemorySegment x, int rows, int in, Tensor w, Tensor bias, Tensor out) {
            CpuLinear.linear(x, 0, rows, in, w.data(), 0, w.dtype() == DType.BF16, Math.toIntExact(w.dim(0)),
                    seg(bias), 0, out.data(), 0);
        }
    }
}
