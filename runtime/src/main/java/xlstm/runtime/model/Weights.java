package xlstm.runtime.model;

import xlstm.backends.DType;
import xlstm.runtime.io.WeightStore;
import xlstm.runtime.tensor.Tensor;

/**
 * A {@link WeightStore} seen from one module: names are relative to {@code prefix}. Shapes are checked by the
 * store (a missing or mis-shaped tensor is a {@link xlstm.runtime.UserError} naming it).
 */
final class Weights {
    private final WeightStore store;
    private final String prefix;

    Weights(WeightStore store, String prefix) {
        this.store = store;
        this.prefix = prefix;
    }

    Weights at(String sub) { return new Weights(store, prefix + sub); }

    String name(String n) { return prefix + n; }

    boolean has(String n) { return store.contains(prefix + n); }

    String source() { return store.source(); }

    /** A matrix for {@code linear}/{@code embedding}, in its stored dtype (float32 or bf16). */
    Tensor matrix(String n, long... shape) {
        Tensor t = store.require(prefix + n, shape);
        return t.dtype() == DType.F32 || t.dtype() == DType.BF16 ? t : t.toF32();
    }

    /**
     * A small parameter (norm weights, biases, kernels) as an owned float32 copy: aligned, writable memory
     * independent of the checkpoint's mapping.
     */
    Tensor vector(String n, long... shape) {
        Tensor t = store.require(prefix + n, shape);
        return t.dtype() == DType.F32 ? t.copy() : t.toF32();
    }

    /** Marks an optional tensor as used when present (checking its shape); null when absent. */
    Tensor optional(String n, long... shape) {
        return store.optional(prefix + n, shape);
    }

    /**
     * Throws a {@link xlstm.runtime.UserError} naming the tensors under this prefix that start with one of
     * {@code scopes} and that no layer read (extra weights for the config). An empty scope covers everything.
     */
    void checkAllUsed(String... scopes) {
        java.util.List<String> extra = new java.util.ArrayList<>();
        for (String u : store.unused()) {
            if (!u.startsWith(prefix)) continue;
            String rel = u.substring(prefix.length());
            for (String s : scopes) {
                if (rel.startsWith(s)) {
                    extra.add(u);
                    break;
                }
            }
        }
        if (!extra.isEmpty()) {
            throw new xlstm.runtime.UserError(store.source() + ": " + extra.size() + " unexpected tensor"
                    + (extra.size() == 1 ? "" : "s") + " for this config (not used by the model): "
                    + String.join(", ", extra.subList(0, Math.min(10, extra.size())))
                    + (extra.size() > 10 ? ", ..." : ""));
        }
    }
}
