package xlstm.training.autograd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import xlstm.backends.cpu.CpuParallel;
import xlstm.runtime.ops.CpuOps;

/**
 * Dense and head-wise linear layers. The forward is {@link CpuOps}'s; the backward is {@code dX += dY·W},
 * {@code dW += dYᵀ·X}, {@code db += Σ dY}, as tiled row-wise multiply-adds parallel over rows (dX) and outputs (dW).
 */
public final class LinearOps {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    /** Rows of a backward tile. */
    private static final int ROW_TILE = 32;
    /** Floats of weight (or input) rows one tile keeps in cache (128 KiB). */
    private static final int TILE_FLOATS = 32 * 1024;

    private LinearOps() {}

    /** {@code x (..., in) · wᵀ + b}, w (out, in), b (out) or null. */
    public static Var linear(Tape tape, Var x, Var w, Var b) {
        Var y = new Var(CpuOps.linear(x.value(), w.value(), b == null ? null : b.value()));
        tape.record(() -> {
            if (!y.hasGrad()) return;
            int rows = Floats.rows(x), in = w.dim(1), out = w.dim(0);
            float[] dy = y.grad(), xv = Floats.of(x.value()), wv = Floats.of(w.value()), dx = x.grad(), dw = w.grad();
            // dX[r,:] += Σ_o dY[r,o]·W[o,:] and dW[o,:] += Σ_r dY[r,o]·X[r,:] as contiguous multiply-adds, in tiles
            // of rows × outputs whose weight (or input) rows stay in cache; parallel over row tiles (dX) and output
            // tiles (dW), so no two tasks write the same row
            int outTile = Math.max(1, TILE_FLOATS / Math.max(1, in)), rowTiles = (rows + ROW_TILE - 1) / ROW_TILE;
            CpuParallel.forEach(rowTiles, t -> {
                int r1 = Math.min(rows, (t + 1) * ROW_TILE);
                for (int o0 = 0; o0 < out; o0 += outTile) {
                    int o1 = Math.min(out, o0 + outTile);
                    for (int r = t * ROW_TILE; r < r1; r++) {
                        for (int o = o0; o < o1; o++) axpy(dy[r * out + o], wv, o * in, dx, r * in, in);
                    }
                }
            });
            int dwTile = Math.max(1, Math.min(outTile, (out + 4 * CpuParallel.threads() - 1) / (4 * CpuParallel.threads())));
            CpuParallel.forEach((out + dwTile - 1) / dwTile, t -> {
                int o0 = t * dwTile, o1 = Math.min(out, o0 + dwTile);
                for (int r0 = 0; r0 < rows; r0 += ROW_TILE) {
                    int r1 = Math.min(rows, r0 + ROW_TILE);
                    for (int o = o0; o < o1; o++) {
                        for (int r = r0; r < r1; r++) axpy(dy[r * out + o], xv, r * in, dw, o * in, in);
                    }
                }
            });
            if (b != null) {
                float[] db = b.grad();
                for (int r = 0; r < rows; r++) for (int o = 0; o < out; o++) db[o] += dy[r * out + o];
            }
        });
        return y;
    }

    /** {@code y[yo + i] += a·x[xo + i]} for i < n. */
    private static void axpy(float a, float[] x, int xo, float[] y, int yo, int n) {
        if (a == 0f) return;
        int i = 0;
        FloatVector va = FloatVector.broadcast(SPECIES, a);
        for (int bound = SPECIES.loopBound(n); i < bound; i += SPECIES.length()) {
            FloatVector.fromArray(SPECIES, x, xo + i).fma(va, FloatVector.fromArray(SPECIES, y, yo + i))
                    .intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] += a * x[xo + i];
    }

    /** {@code LinearHeadwiseExpand}: x (..., NH·din), w (NH, dout, din), b (NH·dout) or null. */
    public static Var headwise(Tape tape, Var x, Var w, Var b) {
        Var y = new Var(CpuOps.headwiseLinear(x.value(), w.value(), b == null ? null : b.value()));
        tape.record(() -> {
            if (!y.hasGrad()) return;
            int nh = w.dim(0), dout = w.dim(1), din = w.dim(2);
            int rows = Floats.rows(x), in = nh * din, out = nh * dout;
            float[] dy = y.grad(), xv = Floats.of(x.value()), wv = Floats.of(w.value()), dx = x.grad();
            CpuParallel.forEach(rows, Math.max(1, 4096 / Math.max(1, in * dout)), r -> {
                for (int h = 0; h < nh; h++) {
                    for (int o = 0; o < dout; o++) {
                        float g = dy[r * out + h * dout + o];
                        int wo = (h * dout + o) * din, xo = r * in + h * din;
                        for (int d = 0; d < din; d++) dx[xo + d] += g * wv[wo + d];
                    }
                }
            });
            float[] dw = w.grad();
            CpuParallel.forEach(nh * dout, o2 -> {
                int h = o2 / dout, o = o2 % dout;
                int wo = o2 * din;
                for (int r = 0; r < rows; r++) {
                    float g = dy[r * out + h * dout + o];
                    int xo = r * in + h * din;
                    for (int d = 0; d < din; d++) dw[wo + d] += g * xv[xo + d];
                }
            });
            if (b != null) {
                float[] db = b.grad();
                for (int r = 0; r < rows; r++) for (int o = 0; o < out; o++) db[o] += dy[r * out + o];
            }
        });
        return y;
    }
}
