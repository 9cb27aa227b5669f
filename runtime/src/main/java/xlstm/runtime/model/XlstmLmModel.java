package xlstm.runtime.model;

import xlstm.backends.DType;
import xlstm.runtime.UserError;
import xlstm.runtime.backend.KernelBackend;
import xlstm.runtime.backend.KernelBackends;
import xlstm.runtime.config.LmModelConfig;
import xlstm.runtime.io.WeightStore;
import xlstm.runtime.ops.CpuOps;
import xlstm.runtime.tensor.Tensor;

/**
 * {@code xLSTMLMModel} (SPEC §3.4): token embedding, block stack, {@code lm_head} (tied to the embedding when
 * {@code tie_weights}); logits are not soft-capped.
 */
public final class XlstmLmModel {
    private final LmModelConfig cfg;
    private final Tensor embedding;
    private final XlstmBlockStack stack;
    private final Tensor lmHead;

    private XlstmLmModel(LmModelConfig cfg, Tensor embedding, XlstmBlockStack stack, Tensor lmHead) {
        this.cfg = cfg;
        this.embedding = embedding;
        this.stack = stack;
        this.lmHead = lmHead;
    }

    /**
     * Builds the model from {@code w} (the reference's {@code state_dict} names). Missing, mis-shaped and extra
     * tensors are {@link UserError}s naming them; with {@code tie_weights} the one matrix may be stored
     * under either name (safetensors drops one name of a shared tensor).
     */
    public static XlstmLmModel load(LmModelConfig cfg, WeightStore w) {
        return load(cfg, w, KernelBackends.byDefault());
    }

    /** As {@link #load(LmModelConfig, WeightStore)}, with the cell and pointwise kernels on {@code backend}. */
    public static XlstmLmModel load(LmModelConfig cfg, WeightStore w, KernelBackend backend) {
        Weights ws = new Weights(w, "");
        int v = cfg.vocabSize(), e = cfg.embeddingDim();
        Tensor emb;
        Tensor head;
        if (cfg.tieWeights()) {
            // safetensors cannot store shared tensors: a tied checkpoint keeps either name (or both)
            Tensor stored = ws.optional("token_embedding.weight", v, e);
            Tensor storedHead = ws.optional("lm_head.weight", v, e);
            emb = stored != null ? stored.toF32() : storedHead != null ? storedHead.toF32()
                    : ws.matrix("token_embedding.weight", v, e);
            head = emb;
        } else {
            emb = ws.matrix("token_embedding.weight", v, e);
            head = ws.matrix("lm_head.weight", v, e);
        }
        XlstmBlockStack stack = XlstmBlockStack.load(cfg.stack(), ws.at("xlstm_block_stack."), backend);
        ws.checkAllUsed("");
        return new XlstmLmModel(cfg, emb, stack, head);
    }

    public LmModelConfig config() { return cfg; }

    /** Token ids (B,S) -> logits (B,S,V) float32. */
    public Tensor forward(Tensor inputIds) {
        checkIds(inputIds, -1);
        Tensor x = CpuOps.embedding(inputIds, embedding);
        return CpuOps.linear(stack.forward(x), lmHead, null);
    }

    public LmState newState(int batch) { return new LmState(stack.newState(batch)); }

    /** Token ids (B,1) -> logits (B,1,V); {@code state} is updated. */
    public Tensor step(Tensor inputIds, LmState state) {
        checkIds(inputIds, 1);
        if (state == null) throw new UserError("step needs a state (newState(batch))");
        Tensor x = CpuOps.embedding(inputIds, embedding);
        return CpuOps.linear(stack.step(x, state.stack()), lmHead, null);
    }

    private static void checkIds(Tensor ids, int seq) {
        if (ids.rank() != 2 || (seq > 0 && ids.dim(1) != seq)) {
            throw new UserError("input ids must have shape (B, " + (seq > 0 ? seq : "S") + "), got "
                    + java.util.Arrays.toString(ids.shape()));
        }
        if (ids.dtype() != DType.I64 && ids.dtype() != DType.I32) {
            throw new UserError("input ids must be integers (int64), got " + ids.dtype());
        }
    }
}
