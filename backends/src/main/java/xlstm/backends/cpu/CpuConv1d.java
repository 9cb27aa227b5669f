package xlstm.backends.cpu;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * Causal depthwise 1-D convolution over a sequence (the {@code CausalConv1d} of the original architecture):
 * {@code y[b,t,f] = bias[f] + Σ_{j<KS} w[f,0,j]·x[b, t−KS+1+j, f]} with {@code x = 0} before the start.
 * x, y (B, S, F) float32; weight (F, 1, KS) float32; bias (F) float32 or null. {@code KS = 0} is the identity.
 * The step form keeps the last KS inputs in a state (B, KS, F): shift left, append {@code x_t}, then the same
 * sum in the same order, so stepping reproduces the sequence form bit for bit.
 */
public final class CpuConv1d {
    private CpuConv1d() {}

    /** Sequence form; y must not overlap x. */
    public static void causalConv1d(MemorySegment x, long xOff, MemorySegment y, long yOff, int batch, int seq,
                                    int features, MemorySegment w, long wOff, int ks, MemorySegment b, long bOff) {
        int f = features;
        if (ks == 0) {
            MemorySegment.copy(x, xOff * 4, y, yOff * 4, (long) batch * seq * f * 4);
            return;
        }
        float[][] wt = transposed(w, wOff, f, ks);
        float[] bias = b == null ? null : b.asSlice(bOff * 4, (long) f * 4).toArray(Simd.FLOAT);
        boolean scalar = KernelMode.scalar();
        int grain = Math.max(1, 4096 / Math.max(1, f * ks));
        CpuParallel.forEach(batch * seq, grain, bt -> {
            int bi = bt / seq, t = bt % seq;
            long yo = yOff + (long) bt * f;
            long xBase = xOff + (long) bi * seq * f;
            int j0 = Math.max(0, ks - 1 - t);
            int i = 0;
            if (!scalar) {
                int bound = Simd.loopBound(f);
                for (; i < bound; i += Simd.L) {
                    FloatVector acc = bias == null ? FloatVector.zero(Simd.F) : FloatVector.fromArray(Simd.F, bias, i);
                    for (int j = j0; j < ks; j++) {
                        long xo = xBase + (long) (t - ks + 1 + j) * f + i;
                        acc = Simd.load(x, xo).fma(FloatVector.fromArray(Simd.F, wt[j], i), acc);
                    }
                    Simd.store(acc, y, yo + i);
                }
            }
            for (; i < f; i++) {
                float acc = bias == null ? 0f : bias[i];
                for (int j = j0; j < ks; j++) {
                    acc = Math.fma(Simd.getF(x, xBase + (long) (t - ks + 1 + j) * f + i), wt[j][i], acc);
                }
                Simd.setF(y, yo + i, acc);
            }
        });
    }

    /**
     * One step: for each batch row, {@code state[b]} (KS, F) shifts left by one, {@code x[b]} (F) becomes its last
     * row, and {@code y[b] = bias + Σ_j state[b,j]·w[:,0,j]}. With {@code KS = 0}, y = x and the state is unused.
     */
    public static void causalConv1dStep(MemorySegment x, long xOff, MemorySegment state, long stOff, MemorySegment y,
                                        long yOff, int batch, int features, MemorySegment w, long wOff, int ks,
                                        MemorySegment b, long bOff) {
        int f = features;
        if (ks == 0) {
            MemorySegment.copy(x, xOff * 4, y, yOff * 4, (long) batch * f * 4);
            return;
        }
        float[][] wt = transposed(w, wOff, f, ks);
        float[] bias = b == null ? null : b.asSlice(bOff * 4, (long) f * 4).toArray(Simd.FLOAT);
        boolean scalar = KernelMode.scalar();
        for (int bi = 0; bi < batch; bi++) {
            long so = stOff + (long) bi * ks * f;
            MemorySegment.copy(state, (so + f) * 4, state, so * 4, (long) (ks - 1) * f * 4);
            MemorySegment.copy(x, (xOff + (long) bi * f) * 4, state, (so + (long) (ks - 1) * f) * 4, (long) f * 4);
            long yo = yOff + (long) bi * f;
            int i = 0;
            if (!scalar) {
                int bound = Simd.loopBound(f);
                for (; i < bound; i += Simd.L) {
                    FloatVector acc = bias == null ? FloatVector.zero(Simd.F) : FloatVector.fromArray(Simd.F, bias, i);
                    for (int j = 0; j < ks; j++) {
                        acc = Simd.load(state, so + (long) j * f + i).fma(FloatVector.fromArray(Simd.F, wt[j], i), acc);
                    }
                    Simd.store(acc, y, yo + i);
                }
            }
            for (; i < f; i++) {
                float acc = bias == null ? 0f : bias[i];
                for (int j = 0; j < ks; j++) acc = Math.fma(Simd.getF(state, so + (long) j * f + i), wt[j][i], acc);
                Simd.setF(y, yo + i, acc);
            }
        }
    }

    /** weight (F, 1, KS) → [KS][F]. */
    private static float[][] transposed(MemorySegment w, long wOff, int f, int ks) {
        float[][] wt = new float[ks][f];
        for (int i = 0; i < f; i++) {
            for (int j = 0; j < ks; j++) wt[j][i] = Simd.getF(w, wOff + (long) i * ks + j);
        }
        return wt;
    }
}
