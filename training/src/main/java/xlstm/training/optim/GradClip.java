package xlstm.training.optim;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import xlstm.training.Parameter;

/** {@code torch.nn.utils.clip_grad_norm_} over all parameters (the global L2 norm). */
public final class GradClip {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private GradClip() {}

    /** The global L2 norm of every gradient (accumulated in double). */
    public static double norm(List<Parameter> params) {
        double sum = 0;
        for (Parameter p : params) {
            MemorySegment g = p.grad().data();
            for (long i = 0, n = p.numel(); i < n; i++) {
                double v = g.getAtIndex(F, i);
                sum += v * v;
            }
        }
        return Math.sqrt(sum);
    }

    /**
     * Scales every gradient by {@code maxNorm / (norm + 1e-6)} when that is below 1, as PyTorch does; returns the
     * norm before clipping. {@code maxNorm <= 0} or infinite only measures.
     */
    public static double clip(List<Parameter> params, double maxNorm) {
        double norm = norm(params);
        if (!(maxNorm > 0) || Double.isInfinite(maxNorm)) return norm;
        double coef = maxNorm / (norm + 1e-6);
        if (coef < 1) {
            float c = (float) coef;
            for (Parameter p : params) {
                MemorySegment g = p.grad().data();
                for (long i = 0, n = p.numel(); i < n; i++) g.setAtIndex(F, i, g.getAtIndex(F, i) * c);
            }
        }
        return norm;
    }
}
