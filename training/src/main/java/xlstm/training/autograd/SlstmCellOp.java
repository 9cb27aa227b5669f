package xlstm.training.autograd;

import java.lang.foreign.MemorySegment;
import xlstm.generated.LstmCell;
import xlstm.generated.LstmCellGrad;
import xlstm.generated.SlstmCell;
import xlstm.generated.SlstmCellGrad;
import xlstm.runtime.tensor.Tensor;

/**
 * The sLSTM layer's cell over a sequence from zero states: the generated {@code slstm} cell, or with
 * {@code function = "lstm"} the generated {@code lstm} cell on the same weights (as the runtime's sLSTM block); the
 * backward is the matching generated {@code SlstmCellGrad} / {@code LstmCellGrad}. Layouts: pre-activations x
 * (B,NH,S,DH) per gate i, f, z, o; recurrent matrices r (NH,DH,DH) and biases b (NH,DH) per gate → h (B,NH,S,DH).
 */
public final class SlstmCellOp {
    private SlstmCellOp() {}

    public static Var sequence(Tape tape, Var[] x, Var[] r, Var[] bias, boolean lstm) {
        int b = x[0].dim(0), nh = x[0].dim(1), s = x[0].dim(2), dh = x[0].dim(3);
        MemorySegment[] xs = segments(x), rs = segments(r), bs = segments(bias);
        Tensor h = Tensor.zeros(b, nh, s, dh);
        if (lstm) {
            LstmCell.sequence(b, nh, s, dh, xs[0], xs[1], xs[2], xs[3], rs[0], rs[1], rs[2], rs[3], bs[0], bs[1], bs[2],
                    bs[3], state(b, nh, dh), state(b, nh, dh), h.data());
        } else {
            SlstmCell.sequence(b, nh, s, dh, xs[0], xs[1], xs[2], xs[3], rs[0], rs[1], rs[2], rs[3], bs[0], bs[1],
                    bs[2], bs[3], state(b, nh, dh), state(b, nh, dh), state(b, nh, dh), state(b, nh, dh), h.data());
        }
        Var out = new Var(h);
        tape.record(() -> {
            if (!out.hasGrad()) return;
            Tensor[] dx = new Tensor[4], dr = new Tensor[4], db = new Tensor[4];
            for (int g = 0; g < 4; g++) {
                dx[g] = Tensor.zeros(x[g].shape());
                dr[g] = Tensor.zeros(r[g].shape());
                db[g] = Tensor.zeros(bias[g].shape());
            }
            MemorySegment dh2 = out.gradTensor().data();
            // initial states are zero; the final states get no gradient (the block returns only h)
            if (lstm) {
                LstmCellGrad.sequence(b, nh, s, dh, xs[0], xs[1], xs[2], xs[3], rs[0], rs[1], rs[2], rs[3], bs[0],
                        bs[1], bs[2], bs[3], state(b, nh, dh), state(b, nh, dh), dh2, state(b, nh, dh),
                        state(b, nh, dh), dx[0].data(), dx[1].data(), dx[2].data(), dx[3].data(), dr[0].data(),
                        dr[1].data(), dr[2].data(), dr[3].data(), db[0].data(), db[1].data(), db[2].data(),
                        db[3].data());
            } else {
                SlstmCellGrad.sequence(b, nh, s, dh, xs[0], xs[1], xs[2], xs[3], rs[0], rs[1], rs[2], rs[3], bs[0],
                        bs[1], bs[2], bs[3], state(b, nh, dh), state(b, nh, dh), state(b, nh, dh), state(b, nh, dh),
                        dh2, state(b, nh, dh), state(b, nh, dh), state(b, nh, dh), state(b, nh, dh), dx[0].data(),
                        dx[1].data(), dx[2].data(), dx[3].data(), dr[0].data(), dr[1].data(), dr[2].data(),
                        dr[3].data(), db[0].data(), db[1].data(), db[2].data(), db[3].data());
            }
            for (int g = 0; g < 4; g++) {
                Floats.add(x[g].grad(), dx[g].toFloatArray());
                Floats.add(r[g].grad(), dr[g].toFloatArray());
                Floats.add(bias[g].grad(), db[g].toFloatArray());
            }
        });
        return out;
    }

    private static MemorySegment[] segments(Var[] v) {
        MemorySegment[] s = new MemorySegment[v.length];
        for (int i = 0; i < v.length; i++) s[i] = v[i].value().data();
        return s;
    }

    private static MemorySegment state(int b, int nh, int dh) {
        return Tensor.zeros(b, nh, dh).data();
    }
}
