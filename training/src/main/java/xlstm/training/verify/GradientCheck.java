package xlstm.training.verify;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import xlstm.backends.Flags;
import xlstm.generated.MlstmCellGrad;
import xlstm.runtime.UserError;
import xlstm.runtime.config.BlockStackConfig;
import xlstm.runtime.config.LmModelConfig;
import xlstm.runtime.config.XlstmLargeConfig;
import xlstm.runtime.tensor.Tensor;
import xlstm.runtime.verify.CaseResult;
import xlstm.runtime.verify.Check;
import xlstm.runtime.verify.Compare;
import xlstm.training.Batch;
import xlstm.training.Parameter;
import xlstm.training.Trainable;
import xlstm.training.model.TrainableBlockStack;
import xlstm.training.model.TrainableModels;

/**
 * The backward passes against a fixture's {@code grads.safetensors}, by the fixtures' rule
 * {@code max|out − ref| <= atol + rtol·max|ref|} per tensor. What runs, by kind:
 * <ul>
 *   <li>{@code block_stack}: the trainable stack on {@code x}, loss {@code sum(y·r)}: the gradients of x and of every
 *       parameter;</li>
 *   <li>{@code lm_model}, {@code xlstm_large}: mean cross-entropy against {@code targets}: the loss value (labelled
 *       {@code loss[train]}) and the gradient of every parameter;</li>
 *   <li>{@code mlstm_cell}: the generated {@code MlstmCellGrad} on the case's inputs and initial states, loss
 *       {@code sum(h·dh)}: {@code dq, dk, dv, di, df}.</li>
 * </ul>
 * Every reference gradient must be computed and every computed one must have a reference (a tied LM's shared matrix
 * answers to both its names). Each check is labelled {@code grad[<name>]}.
 */
public final class GradientCheck {
    private static final String EMBEDDING = "token_embedding.weight", HEAD = "lm_head.weight";

    private GradientCheck() {}

    /** True when the folder holds reference gradients. */
    public static boolean applies(Path dir) {
        return Files.isRegularFile(dir.resolve(FixtureData.GRADS));
    }

    /**
     * Runs the gradient checks of the fixture folder {@code dir}. A problem with the fixture is a
     * {@link UserError}; an unexpected error while computing is the result's error.
     */
    public static CaseResult verify(Path dir) {
        FixtureData fx = FixtureData.open(dir);
        List<Check> checks = new ArrayList<>();
        try {
            switch (fx.kind) {
                case "block_stack" -> blockStack(fx, checks);
                case "lm_model" -> {
                    LmModelConfig cfg = fx.config(LmModelConfig::fromJson);
                    model(fx, checks, TrainableModels.lmModel(cfg, fx.tensors("weights.safetensors")), cfg.tieWeights());
                }
                case "xlstm_large" -> model(fx, checks, TrainableModels.large(fx.config(XlstmLargeConfig::fromJson),
                        fx.tensors("weights.safetensors")), false);
                case "mlstm_cell" -> mlstmCell(fx, checks);
                default -> throw new UserError(dir.resolve("case.json") + ": kind \"" + fx.kind
                        + "\" has no gradient check (block_stack, lm_model, xlstm_large, mlstm_cell)");
            }
        } catch (UserError | Flags.BadFlag e) {
            throw e;
        } catch (RuntimeException | LinkageError | AssertionError e) {
            return new CaseResult(fx.name, dir, checks, e);
        }
        return new CaseResult(fx.name, dir, checks, null);
    }

    private static void blockStack(FixtureData fx, List<Check> checks) {
        TrainableBlockStack stack = TrainableModels.blockStack(fx.config(BlockStackConfig::fromJson),
                fx.tensors("weights.safetensors"));
        Map<String, Tensor> io = fx.tensors("io.safetensors");
        Tensor dx = stack.backward(FixtureData.require(io, "x", "io.safetensors"), FixtureData.require(io, "r", "io.safetensors"));
        Map<String, Tensor> computed = gradients(stack.parameters());
        computed.put("x", dx);
        compareAll(fx, computed, Set.of(), checks);
    }

    /** With {@code tied} the one embedding/head parameter answers to both reference names. */
    private static void model(FixtureData fx, List<Check> checks, Trainable model, boolean tied) {
        Map<String, Tensor> io = fx.tensors("io.safetensors");
        Batch batch = new Batch(FixtureData.rows(FixtureData.require(io, "input_ids", "io.safetensors")),
                FixtureData.rows(FixtureData.require(io, "targets", "io.safetensors")));
        double loss = model.loss(batch, true);
        if (io.containsKey("loss")) {
            checks.add(Compare.tensors(fx.name, "loss[train]", Tensor.of(new float[] {(float) loss}, 1), io.get("loss"),
                    fx.tolerance));
        }
        Map<String, Tensor> computed = gradients(model.parameters());
        Set<String> aliases = new HashSet<>();
        if (tied) {
            String stored = computed.containsKey(EMBEDDING) ? EMBEDDING : HEAD, other = stored.equals(EMBEDDING) ? HEAD : EMBEDDING;
            computed.put(other, computed.get(stored));
            aliases.add(other);
        }
        compareAll(fx, computed, aliases, checks);
    }

    /** The cell's gradients of sum(h·dh) from the case's initial states (zeros where absent). */
    private static void mlstmCell(FixtureData fx, List<Check> checks) {
        Map<String, Tensor> io = fx.tensors("io.safetensors");
        Tensor q = FixtureData.require(io, "q", "io.safetensors"), v = FixtureData.require(io, "v", "io.safetensors");
        int b = dim(q, 0), nh = dim(q, 1), s = dim(q, 2), dqk = dim(q, 3), dv = dim(v, 3);
        // the cell scales q by DQK^-0.5; a case with another qk_scale has q pre-multiplied (as the forward check)
        double factor = fx.config.has("qk_scale") ? fx.config.get("qk_scale").asDouble() * Math.sqrt(dqk) : 1.0;
        Tensor qs = scaled(q, factor);
        float eps = fx.config.has("eps") ? (float) fx.config.get("eps").asDouble() : xlstm.generated.MlstmCell.DEFAULT_EPS;
        Tensor c0 = io.containsKey("c_initial") ? io.get("c_initial") : Tensor.zeros(b, nh, dqk, dv);
        Tensor n0 = io.containsKey("n_initial") ? io.get("n_initial") : Tensor.zeros(b, nh, dqk);
        Tensor m0 = io.containsKey("m_initial") ? io.get("m_initial") : Tensor.zeros(b, nh);
        Tensor dq = Tensor.zeros(q.shape()), dk = Tensor.zeros(q.shape()), dvv = Tensor.zeros(v.shape());
        Tensor di = Tensor.zeros(b, nh, s), df = Tensor.zeros(b, nh, s);
        MlstmCellGrad.sequence(b, nh, s, dqk, dv, qs.data(), io.get("k").data(), v.data(), io.get("i").data(),
                io.get("f").data(), c0.data(), n0.data(), m0.data(),
                FixtureData.require(io, "dh", "io.safetensors").data(), Tensor.zeros(b, nh, dqk, dv).data(),
                Tensor.zeros(b, nh, dqk).data(), Tensor.zeros(b, nh).data(), dq.data(), dk.data(), dvv.data(),
                di.data(), df.data(), eps);
        Map<String, Tensor> computed = new TreeMap<>(Map.of("dq", scaled(dq, factor), "dk", dk, "dv", dvv, "di", di,
                "df", df));
        compareAll(fx, computed, Set.of(), checks);
    }

    private static Map<String, Tensor> gradients(List<Parameter> params) {
        Map<String, Tensor> out = new TreeMap<>();
        for (Parameter p : params) out.put(p.name(), p.grad());
        return out;
    }

    /**
     * One check per reference gradient; a gradient missing on either side is a failed check naming it, except the
     * {@code aliases} (second names of a shared parameter), which need no reference.
     */
    private static void compareAll(FixtureData fx, Map<String, Tensor> computed, Set<String> aliases, List<Check> checks) {
        Map<String, Tensor> ref = new TreeMap<>(fx.tensors(FixtureData.GRADS));
        for (Map.Entry<String, Tensor> e : ref.entrySet()) {
            Tensor out = computed.get(e.getKey());
            if (out == null) {
                checks.add(new Check(fx.name, "grad[" + e.getKey() + "]", Double.POSITIVE_INFINITY, 0, "not computed"));
            } else {
                checks.add(Compare.tensors(fx.name, "grad[" + e.getKey() + "]", out, e.getValue(), fx.tolerance));
            }
        }
        for (String name : computed.keySet()) {
            if (!ref.containsKey(name) && !aliases.contains(name)) {
                checks.add(new Check(fx.name, "grad[" + name + "]", Double.POSITIVE_INFINITY, 0,
                        "no reference gradient in " + FixtureData.GRADS));
            }
        }
    }

    private static Tensor scaled(Tensor t, double factor) {
        if (Math.abs(factor - 1) < 1e-9) return t;
        Tensor out = t.copy();
        for (long j = 0; j < out.numel(); j++) out.setFloat(j, (float) (out.getFloat(j) * factor));
        return out;
    }

    private static int dim(Tensor t, int i) { return Math.toIntExact(t.dim(i)); }
}
