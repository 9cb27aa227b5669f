package xlstm.training.autograd;

import xlstm.runtime.ops.CpuOps;
import xlstm.runtime.tensor.Tensor;

/** Token embedding: rows of the table (V, E) for ids (B, S); the backward scatter-adds into the rows used. */
public final class EmbeddingOps {
    private EmbeddingOps() {}

    public static Var lookup(Tape tape, int[][] ids, Var table) {
        int b = ids.length, s = ids[0].length, e = table.dim(1);
        long[] flat = new long[b * s];
        for (int r = 0; r < b; r++) for (int t = 0; t < s; t++) flat[r * s + t] = ids[r][t];
        Var y = new Var(CpuOps.embedding(Tensor.ofLongs(flat, b, s), table.value()));
        tape.record(() -> {
            if (!y.hasGrad()) return;
            float[] dy = y.grad(), dt = table.grad();
            for (int p = 0; p < flat.length; p++) {
                int row = (int) flat[p];
                for (int c = 0; c < e; c++) dt[row * e + c] += dy[p * e + c];
            }
        });
        return y;
    }
}
