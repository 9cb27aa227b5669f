package xlstm.runtime.verify;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import xlstm.runtime.UserError;
import xlstm.runtime.backend.KernelBackend;
import xlstm.runtime.config.BlockStackConfig;
import xlstm.runtime.config.ConfigFiles;
import xlstm.runtime.config.HfXlstmConfig;
import xlstm.runtime.config.LmModelConfig;
import xlstm.runtime.config.XlstmLargeConfig;
import xlstm.runtime.hf.HfCheckpoint;
import xlstm.runtime.io.WeightStore;
import xlstm.runtime.model.LargeState;
import xlstm.runtime.model.LmState;
import xlstm.runtime.model.MlstmCellKernel;
import xlstm.runtime.model.XlstmBlockStack;
import xlstm.runtime.model.XlstmLarge;
import xlstm.runtime.model.XlstmLmModel;
import xlstm.runtime.tensor.Tensor;

/** The model kinds: the runtime's models built from the case's config and weights, run on the case's inputs. */
final class ModelCases {
    private ModelCases() {}

    /** xLSTMBlockStack on x: compares y. */
    static void blockStack(KernelBackend kb, Fixture fx, List<Check> checks) {
        BlockStackConfig cfg = fx.parseConfig(BlockStackConfig::fromJson);
        XlstmBlockStack stack;
        try (WeightStore w = fx.weights()) {
            stack = XlstmBlockStack.load(cfg, w, "", MlstmCellKernel.MLSTM, kb);
            w.checkAllUsed();
            Tensor x = fx.f32("x", -1, -1, cfg.embeddingDim());
            checks.add(Compare.tensors(fx.name(), "y", stack.forward(x), fx.tensor("y"), fx.tolerance()));
        }
    }

    /**
     * xLSTMLMModel on input_ids: logits of the full-sequence forward; step_logits token by token through the step
     * API with the state carried; the mean cross-entropy loss against targets.
     */
    static void lmModel(KernelBackend kb, Fixture fx, List<Check> checks) {
        LmModelConfig cfg = fx.parseConfig(LmModelConfig::fromJson);
        try (WeightStore w = fx.weights()) {
            XlstmLmModel model = XlstmLmModel.load(cfg, w, kb);
            w.checkAllUsed();
            Tensor ids = fx.ids("input_ids", -1, -1);
            Tensor logits = model.forward(ids);
            checks.add(Compare.tensors(fx.name(), "logits", logits, fx.tensor("logits"), fx.tolerance()));
            if (fx.has("step_logits")) {
                int b = Math.toIntExact(ids.dim(0)), s = Math.toIntExact(ids.dim(1));
                LmState state = model.newState(b);
                Tensor[] steps = new Tensor[s];
                for (int t = 0; t < s; t++) steps[t] = model.step(column(ids, t), state);
                checks.add(Compare.tensors(fx.name(), "step_logits", concatTime(steps), fx.tensor("step_logits"),
                        fx.tolerance()));
            }
            loss(fx, checks, logits);
        }
    }

    /**
     * xLSTMLarge on input_ids from a zero state: logits, every block's final state state.&lt;b&gt;.{c,n,m}, the loss;
     * then greedy generation from gen_prefix, compared exactly with gen_tokens (the new tokens only).
     */
    static void xlstmLarge(KernelBackend kb, Fixture fx, List<Check> checks) {
        XlstmLargeConfig cfg = fx.parseConfig(XlstmLargeConfig::fromJson);
        try (WeightStore w = fx.weights()) {
            XlstmLarge model = XlstmLarge.load(cfg, w, false, kb);
            w.checkAllUsed();
            Tensor ids = fx.ids("input_ids", -1, -1);
            LargeState state = model.newState(Math.toIntExact(ids.dim(0)));
            Tensor logits = model.forward(ids, state);
            checks.add(Compare.tensors(fx.name(), "logits", logits, fx.tensor("logits"), fx.tolerance()));
            for (int b = 0; b < state.blocks(); b++) {
                String p = "state." + b + ".";
                if (fx.has(p + "c")) checks.add(Compare.tensors(fx.name(), p + "c", state.c(b), fx.tensor(p + "c"), fx.tolerance()));
                if (fx.has(p + "n")) checks.add(Compare.tensors(fx.name(), p + "n", state.n(b), fx.tensor(p + "n"), fx.tolerance()));
                if (fx.has(p + "m")) checks.add(Compare.tensors(fx.name(), p + "m", state.m(b), fx.tensor(p + "m"), fx.tolerance()));
            }
            loss(fx, checks, logits);
            if (fx.has("gen_tokens")) {
                long[][] prefix = fx.rows("gen_prefix");
                long[][] expected = fx.rows("gen_tokens");
                long[][] got = model.generateGreedy(prefix, expected[0].length);
                checks.add(Compare.tokens(fx.name(), "gen_tokens", flat(got), flat(expected)));
            }
        }
    }

    /**
     * A Hugging Face checkpoint folder ({@code hf/}) loaded as a user loads the 7B, weights in their stored dtype:
     * logits; greedy generation compared exactly with gen_tokens, which holds the prefix and the new tokens, with
     * transformers' end-of-sequence rule applied (see {@link #hfEndOfSequence}).
     */
    static void hfXlstm(KernelBackend kb, Fixture fx, List<Check> checks) {
        Path hf = fx.required("hf");
        XlstmLarge model = HfCheckpoint.load(hf, null, kb);
        Tensor ids = fx.ids("input_ids", -1, -1);
        Tensor logits = model.forward(ids, null);
        checks.add(Compare.tensors(fx.name(), "logits", logits, fx.tensor("logits"), fx.tolerance()));
        if (fx.has("gen_tokens")) {
            long[][] prefix = fx.rows("gen_prefix");
            long[][] expected = fx.rows("gen_tokens");
            int newTokens = expected[0].length - prefix[0].length;
            if (expected.length != prefix.length || newTokens < 0) {
                throw new UserError(fx.file(Fixture.IO) + ": gen_tokens (" + expected.length + " x " + expected[0].length
                        + ") must hold each gen_prefix row (" + prefix.length + " x " + prefix[0].length
                        + ") followed by the generated tokens");
            }
            long[][] got = model.generateGreedy(prefix, newTokens);
            hfEndOfSequence(hf, got);
            long[][] full = new long[prefix.length][];
            for (int r = 0; r < prefix.length; r++) {
                full[r] = new long[prefix[r].length + got[r].length];
                System.arraycopy(prefix[r], 0, full[r], 0, prefix[r].length);
                System.arraycopy(got[r], 0, full[r], prefix[r].length, got[r].length);
            }
            checks.add(Compare.tokens(fx.name(), "gen_tokens", flat(full), flat(expected)));
        }
    }

    /**
     * transformers' {@code generate} stops a row at its first end-of-sequence token and fills the rest of that row
     * with {@code pad_token_id} (the first EOS id when there is none) while other rows go on; it stops when every row
     * has ended, which the fixture's gen_tokens length already reflects. The ids come from
     * {@code generation_config.json}, as {@code generate} takes them, else from {@code config.json}.
     */
    static void hfEndOfSequence(Path hf, long[][] generated) {
        HfXlstmConfig cfg = HfXlstmConfig.load(hf);
        List<Integer> eos = cfg.eosTokenIds();
        Integer pad = cfg.padTokenId();
        Path gen = hf.resolve("generation_config.json");
        if (Files.isRegularFile(gen)) {
            JsonNode g = ConfigFiles.read(gen);
            JsonNode e = g.get("eos_token_id");
            if (e != null) {
                List<Integer> ids = new ArrayList<>();
                if (e.isArray()) e.forEach(x -> ids.add(x.asInt()));
                else if (e.isIntegralNumber()) ids.add(e.asInt());
                eos = ids;
            }
            JsonNode p = g.get("pad_token_id");
            if (p != null) pad = p.isIntegralNumber() ? Integer.valueOf(p.asInt()) : null;
        }
        if (eos.isEmpty()) return;
        long fill = pad != null ? pad : eos.get(0);
        for (long[] row : generated) {
            for (int t = 0; t < row.length; t++) {
                if (eos.contains((int) row[t])) {
                    for (int u = t + 1; u < row.length; u++) row[u] = fill;
                    break;
                }
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    /** The mean cross-entropy of logits (B,S,V) against targets (B,S), when the case holds loss and targets. */
    private static void loss(Fixture fx, List<Check> checks, Tensor logits) {
        if (!fx.has("loss") || !fx.has("targets")) return;
        int v = Math.toIntExact(logits.dim(-1));
        long rows = logits.numel() / v;
        Tensor targets = fx.ids("targets", logits.dim(0), logits.dim(1));
        double total = 0;
        for (long r = 0; r < rows; r++) {
            long t = targets.getLong(r);
            if (t < 0 || t >= v) {
                throw new UserError(fx.file(Fixture.IO) + ": tensor 'targets' holds token id " + t
                        + " outside the vocabulary [0, " + v + ")");
            }
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < v; j++) max = Math.max(max, logits.getFloat(r * v + j));
            double sum = 0;
            for (int j = 0; j < v; j++) sum += Math.exp(logits.getFloat(r * v + j) - max);
            total += max + Math.log(sum) - logits.getFloat(r * v + t);
        }
        Tensor loss = Tensor.of(new float[] {(float) (total / rows)}, 1);
        checks.add(Compare.tensors(fx.name(), "loss", loss, fx.tensor("loss"), fx.tolerance()));
    }

    /** Column t of (B,S) ids as (B,1). */
    private static Tensor column(Tensor ids, int t) {
        int b = Math.toIntExact(ids.dim(0));
        long[] col = new long[b];
        for (int r = 0; r < b; r++) col[r] = ids.getLong(r * ids.dim(1) + t);
        return Tensor.ofLongs(col, b, 1);
    }

    /** S tensors (B,1,V) → (B,S,V). */
    private static Tensor concatTime(Tensor[] steps) {
        int s = steps.length;
        long b = steps[0].dim(0), v = steps[0].dim(-1);
        Tensor out = Tensor.zeros(b, s, v);
        long rowBytes = v * 4;
        for (int t = 0; t < s; t++) {
            Tensor st = steps[t].toF32();
            for (long r = 0; r < b; r++) {
                MemorySegment.copy(st.data(), r * rowBytes, out.data(), (r * s + t) * rowBytes, rowBytes);
            }
        }
        return out;
    }

    private static long[] flat(long[][] rows) {
        int n = 0;
        for (long[] r : rows) n += r.length;
        long[] out = new long[n];
        int at = 0;
        for (long[] r : rows) {
            System.arraycopy(r, 0, out, at, r.length);
            at += r.length;
        }
        return out;
    }
}
