package xlstm.training.autograd;

import xlstm.generated.MlstmCell;
import xlstm.generated.MlstmCellGrad;
import xlstm.runtime.tensor.Tensor;

/**
 * The mLSTM cell over a sequence from zero states, as the generated cell's recurrent form (for the mLSTM the same
 * function as the parallel and chunkwise forms); the backward is the generated {@code MlstmCellGrad}, compiled from
 * the same DSL step by the compiler's autodiff. Layouts: q, k (B,NH,S,DQK), v (B,NH,S,DV), i, f (B,NH,S) → h
 * (B,NH,S,DV).
 */
public final class MlstmCellOp {
    private MlstmCellOp() {}

    public static Var sequence(Tape tape, Var q, Var k, Var v, Var i, Var f, float eps) {
        int b = q.dim(0), nh = q.dim(1), s = q.dim(2), dqk = q.dim(3), dv = v.dim(3);
        Tensor h = Tensor.zeros(b, nh, s, dv);
        MlstmCell.sequence(b, nh, s, dqk, dv, q.value().data(), k.value().data(), v.value().data(), i.value().data(),
                f.value().data(), Tensor.zeros(b, nh, dqk, dv).data(), Tensor.zeros(b, nh, dqk).data(),
                Tensor.zeros(b, nh).data(), h.data(), eps);
        Var out = new Var(h);
        tape.record(() -> {
            if (!out.hasGrad()) return;
            Tensor dq = Tensor.zeros(q.shape()), dk = Tensor.zeros(k.shape()), dvt = Tensor.zeros(v.shape());
            Tensor di = Tensor.zeros(i.shape()), df = Tensor.zeros(f.shape());
            // initial states are zero; the final states get no gradient (the block returns only h)
            MlstmCellGrad.sequence(b, nh, s, dqk, dv, q.value().data(), k.value().data(), v.value().data(),
                    i.value().data(), f.value().data(), Tensor.zeros(b, nh, dqk, dv).data(),
                    Tensor.zeros(b, nh, dqk).data(), Tensor.zeros(b, nh).data(), out.gradTensor().data(),
                    Tensor.zeros(b, nh, dqk, dv).data(), Tensor.zeros(b, nh, dqk).data(), Tensor.zeros(b, nh).data(),
                    dq.data(), dk.data(), dvt.data(), di.data(), df.data(), eps);
            Floats.add(q.grad(), dq.toFloatArray());
            Floats.add(k.grad(), dk.toFloatArray());
            Floats.add(v.grad(), dvt.toFloatArray());
            Floats.add(i.grad(), di.toFloatArray());
            Floats.add(f.grad(), df.toFloatArray());
        });
        return out;
    }
}
