package xlstm.training.optim;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import xlstm.runtime.tensor.Tensor;
import xlstm.training.Parameter;

/**
 * {@code torch.optim.AdamW} (decoupled weight decay) with PyTorch's float32 arithmetic per element:
 * {@code p ← p·(1 − lr·wd)}; {@code m ← m + (1−β1)(g − m)}; {@code v ← β2·v + (1−β2)·g²};
 * {@code p ← p − lr/(1−β1^t) · m / (√v / √(1−β2^t) + ε)}. The step counter and both moments are the state a
 * checkpoint stores ({@link #state()}, {@link #restore}).
 */
public final class AdamW {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    /** Checkpoint tensor name prefixes of the first and second moments. */
    public static final String EXP_AVG = "exp_avg.", EXP_AVG_SQ = "exp_avg_sq.";

    private final List<ParamGroup> groups;
    private final double beta1, beta2, eps;
    private final Map<String, Tensor> expAvg = new LinkedHashMap<>(), expAvgSq = new LinkedHashMap<>();
    private long step;

    public AdamW(List<ParamGroup> groups, double beta1, double beta2, double eps) {
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("betas must be in [0, 1): " + beta1 + ", " + beta2);
        }
        if (!(eps >= 0)) throw new IllegalArgumentException("eps must be >= 0: " + eps);
        this.groups = List.copyOf(groups);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        for (ParamGroup g : groups) {
            for (Parameter p : g.parameters()) {
                if (expAvg.put(p.name(), Tensor.zeros(p.shape())) != null) {
                    throw new IllegalArgumentException("parameter " + p.name() + " is in two groups");
                }
                expAvgSq.put(p.name(), Tensor.zeros(p.shape()));
            }
        }
    }

    /** PyTorch's defaults: β = (0.9, 0.999), ε = 1e-8. */
    public static AdamW withDefaults(List<ParamGroup> groups) { return new AdamW(groups, 0.9, 0.999, 1e-8); }

    /** Optimiser steps taken so far. */
    public long stepCount() { return step; }

    public List<ParamGroup> groups() { return groups; }

    /** Every parameter, group by group. */
    public List<Parameter> parameters() {
        List<Parameter> out = new ArrayList<>();
        for (ParamGroup g : groups) out.addAll(g.parameters());
        return out;
    }

    /** One update of every parameter from its gradient, at learning rate {@code lr}. */
    public void step(double lr) {
        step++;
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        float stepSize = (float) (lr / bc1);
        float b1c = (float) (1 - beta1), b2 = (float) beta2, b2c = (float) (1 - beta2);
        float bc2s = (float) bc2Sqrt, e = (float) eps;
        for (ParamGroup g : groups) {
            float decay = (float) (1 - lr * g.weightDecay());
            for (Parameter p : g.parameters()) {
                MemorySegment w = p.value().data(), gr = p.grad().data();
                MemorySegment m = expAvg.get(p.name()).data(), v = expAvgSq.get(p.name()).data();
                for (long i = 0, n = p.numel(); i < n; i++) {
                    float gi = gr.getAtIndex(F, i);
                    float wi = w.getAtIndex(F, i) * decay;
                    float mi = m.getAtIndex(F, i);
                    mi = mi + b1c * (gi - mi);
                    float vi = v.getAtIndex(F, i) * b2 + b2c * gi * gi;
                    float denom = (float) Math.sqrt(vi) / bc2s + e;
                    m.setAtIndex(F, i, mi);
                    v.setAtIndex(F, i, vi);
                    w.setAtIndex(F, i, wi - stepSize * (mi / denom));
                }
            }
        }
    }

    /** The moments under {@code exp_avg.<name>} and {@code exp_avg_sq.<name>} (live views, not copies). */
    public Map<String, Tensor> state() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        expAvg.forEach((n, t) -> out.put(EXP_AVG + n, t));
        expAvgSq.forEach((n, t) -> out.put(EXP_AVG_SQ + n, t));
        return out;
    }

    /** Restores the moments and the step counter saved by {@link #state()} / {@link #stepCount()}. */
    public void restore(Map<String, Tensor> state, long stepCount) {
        for (Map.Entry<String, Tensor> e : state().entrySet()) {
            Tensor saved = state.get(e.getKey());
            if (saved == null) throw new IllegalArgumentException("optimiser state lacks " + e.getKey());
            if (!java.util.Arrays.equals(saved.shape(), e.getValue().shape())) {
                throw new IllegalArgumentException("optimiser state " + e.getKey() + " has shape "
                        + java.util.Arrays.toString(saved.shape()) + ", expected "
                        + java.util.Arrays.toString(e.getValue().shape()));
            }
            MemorySegment.copy(saved.toF32().data(), 0, e.getValue().data(), 0, e.getValue().data().byteSize());
        }
        if (state.size() != expAvg.size() * 2) {
            throw new IllegalArgumentException("optimiser state has " + state.size() + " tensors, expected "
                    + expAvg.size() * 2);
        }
        this.step = stepCount;
    }
}
