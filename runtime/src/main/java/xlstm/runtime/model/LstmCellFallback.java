package xlstm.runtime.model;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import xlstm.backends.cpu.CpuParallel;

/**
 * The sLSTM layer's {@code function="lstm"} recurrence (SPEC §2.3, the reference's
 * {@code vanilla/lstm.py}), written by hand because the DSL has no {@code lstm} cell yet. Same inputs and
 * weight layout as the generated {@code SlstmCell} (glue contract), with two states:
 * <pre>
 *   raw_g = x_g + R_g·y + b_g          (per head; R_g (DH_out, DH_in))
 *   i = σ(raw_i), f = σ(raw_f), z = tanh(raw_z), o = σ(raw_o)
 *   c' = f·c + i·z,  y' = o·tanh(c'),  h = y'
 * </pre>
 * Inputs x (B,NH,S,DH); weights R (NH,DH,DH), b (NH,DH); states y, c (B,NH,DH) read and updated; output h
 * (B,NH,S,DH). Batch elements and heads are independent (the recurrence is block-diagonal per head).
 */
final class LstmCellFallback {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    private LstmCellFallback() {}

    static void sequence(int b, int nh, int s, int dh, MemorySegment[] x, MemorySegment[] r, MemorySegment[] bias,
                         MemorySegment y, MemorySegment c, MemorySegment h) {
        CpuParallel.forEach(b * nh, bh -> {
            int head = bh % nh;
            float[][] rw = new float[4][dh * dh];
            float[][] bw = new float[4][dh];
            for (int g = 0; g < 4; g++) {
                MemorySegment.copy(r[g], F, (long) head * dh * dh * 4, rw[g], 0, dh * dh);
                MemorySegment.copy(bias[g], F, (long) head * dh * 4, bw[g], 0, dh);
            }
            float[] ys = new float[dh], cs = new float[dh], yn = new float[dh];
            long st = (long) bh * dh;
            MemorySegment.copy(y, F, st * 4, ys, 0, dh);
            MemorySegment.copy(c, F, st * 4, cs, 0, dh);
            float[] raw = new float[4];
            for (int t = 0; t < s; t++) {
                long row = ((long) bh * s + t) * dh;
                for (int j = 0; j < dh; j++) {
                    for (int g = 0; g < 4; g++) {
                        float acc = 0f;
                        float[] rg = rw[g];
                        for (int i = 0; i < dh; i++) acc += rg[j * dh + i] * ys[i];
                        raw[g] = x[g].getAtIndex(F, row + j) + acc + bw[g][j];
                    }
                    double ig = sigmoid(raw[0]), fg = sigmoid(raw[1]), og = sigmoid(raw[3]);
                    double z = Math.tanh(raw[2]);
                    float cn = (float) (fg * cs[j] + ig * z);
                    cs[j] = cn;
                    yn[j] = (float) (og * Math.tanh(cn));
                    h.setAtIndex(F, row + j, yn[j]);
                }
                System.arraycopy(yn, 0, ys, 0, dh);
            }
            MemorySegment.copy(ys, 0, y, F, st * 4, dh);
            MemorySegment.copy(cs, 0, c, F, st * 4, dh);
        });
    }

    private static double sigmoid(double v) { return 1.0 / (1.0 + Math.exp(-v)); }
}
