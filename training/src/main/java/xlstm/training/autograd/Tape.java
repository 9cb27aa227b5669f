package xlstm.training.autograd;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import xlstm.runtime.tensor.Tensor;
import xlstm.training.Parameter;

/**
 * Reverse-mode record of one forward pass: each op appends the step that maps its output's gradient to its inputs'
 * gradients; {@link #backward} runs them newest first. A tape made with {@code recording = false} records nothing,
 * so the same model code runs a forward pass alone.
 */
public final class Tape {
    private final boolean recording;
    private final List<Runnable> steps = new ArrayList<>();
    private final Map<Parameter, Var> params = new IdentityHashMap<>();
    private boolean done;

    public Tape(boolean recording) { this.recording = recording; }

    public boolean recording() { return recording; }

    /** Adds the backward step of an op (ignored when not recording). */
    public void record(Runnable backwardStep) {
        if (recording) steps.add(backwardStep);
    }

    /**
     * The node of a parameter on this tape (null for null: an absent optional weight): its value, and a gradient
     * that backward adds into the parameter's.
     */
    public Var param(Parameter p) {
        if (p == null) return null;
        return params.computeIfAbsent(p, k -> new Var(k.value()));
    }

    /**
     * Seeds {@code out}'s gradient with {@code seed} (same element count), runs every step in reverse and adds the
     * gradients of the parameters used into their {@link Parameter#grad()}. A tape runs backward once.
     */
    public void backward(Var out, float[] seed) {
        if (!recording) throw new IllegalStateException("this tape did not record a backward pass");
        if (done) throw new IllegalStateException("backward already ran on this tape");
        done = true;
        out.addGrad(seed);
        for (int i = steps.size() - 1; i >= 0; i--) steps.get(i).run();
        steps.clear();
        for (Map.Entry<Parameter, Var> e : params.entrySet()) {
            if (!e.getValue().hasGrad()) continue;
            Tensor g = e.getKey().grad();
            float[] sum = g.toFloatArray();
            Floats.add(sum, e.getValue().grad());
            MemorySegment.copy(sum, 0, g.data(), ValueLayout.JAVA_FLOAT, 0, sum.length);
        }
    }
}
