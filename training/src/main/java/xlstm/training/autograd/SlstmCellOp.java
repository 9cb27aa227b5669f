package xlstm.training.autograd;

import xlstm.generated.SlstmCell;
import xlstm.generated.SlstmCellGrad;
import xlstm.runtime.tensor.Tensor;

/**
 * The sLSTM cell over a sequence from zero states (the generated recurrent cell); the backward is the generated
 * {@code SlstmCellGrad}. Layouts: pre-activations x (B,NH,S,DH) per gate i, f, z, o; recurrent matrices r
 * (NH,DH,DH) and biases b (NH,DH) per gate → h (B,NH,S,DH).
 */
public final class SlstmCellOp {
    private SlstmCellOp() {}

    public static Var sequence(Tape tape, Var[] x, Var[] r, Var[] bias) {
        int b = x[0].dim(0), nh = x[0].dim(1), s = x[0].dim(2), dh = x[0].dim(3);
        Tensor h = Tensor.zeros(b, nh, s, dh);
        SlstmCell.sequence(b, nh, s, dh, x[0].value().data(), x[1].value().data(), x[2].value().data(),
                x[3].value().data(), r[0].value().data(), r[1].value().data(), r[2].value().data(),
                r[3].value().data(), bias[0].value().data(), bias[1].value().data(), bias[2].value().data(),
                bias[3].value().data(), state(b, nh, dh), state(b, nh, dh), state(b, nh, dh), state(b, nh, dh),
                h.data());
        Var out = new Var(h);
        tape.record(() -> {
            if (!out.hasGrad()) return;
            Tensor[] dx = new Tensor[4], dr = new Tensor[4], db = new Tensor[4];
            for (int g = 0; g < 4; g++) {
                dx[g] = Tensor.zeros(x[g].shape());
                dr[g] = Tensor.zeros(r[g].shape());
                db[g] = Tensor.zeros(bias[g].shape());
            }
            // initial states are zero; the final states get no gradient (the block returns only h)
            SlstmCellGrad.sequence(b, nh, s, dh, x[0].value().data(), x[1].value().data(), x[2].value().data(),
                    x[3].value().data(), r[0].value().data(), r[1].value().data(), r[2].value().data(),
                    r[3].value().data(), bias[0].value().data(), bias[1].value().data(), bias[2].value().data(),
                    bias[3].value().data(), state(b, nh, dh), state(b, nh, dh), state(b, nh, dh), state(b, nh, dh),
                    out.gradTensor().data(), state(b, nh, dh), state(b, nh, dh), state(b, nh, dh), state(b, nh, dh),
                    dx[0].data(), dx[1].data(), dx[2].data(), dx[3].data(), dr[0].data(), dr[1].data(), dr[2].data(),
                    dr[3].data(), db[0].data(), db[1].data(), db[2].data(), db[3].data());
            for (int g = 0; g < 4; g++) {
                Floats.add(x[g].grad(), dx[g].toFloatArray());
                Floats.add(r[g].grad(), dr[g].toFloatArray());
                Floats.add(bias[g].grad(), db[g].toFloatArray());
            }
        });
        return out;
    }

    private static java.lang.foreign.MemorySegment state(int b, int nh, int dh) {
        return Tensor.zeros(b, nh, dh).data();
    }
}
