package xlstm.runtime.model;

import xlstm.runtime.config.MlstmBlockConfig;
import xlstm.runtime.config.MlstmLayerConfig;
import xlstm.runtime.ops.CpuOps;
import xlstm.runtime.tensor.Tensor;

/**
 * An mLSTM block of the original architecture (SPEC §3.2): {@code x + mLSTMLayer(LayerNorm(x))}. The full
 * sequence runs the cell's forward (for the project's mLSTM the parallel stabilised form); a step runs the recurrent
 * cell with the carried state. The cell is {@link MlstmCellKernel#MLSTM} unless the stack was loaded with another.
 */
final class MlstmBlock implements Block {
    private static final float LN_EPS = 1e-5f;

    private final int e, inner, nh, dh, ks;
    private final Tensor normW;
    private final Tensor upMW, upMB, upZW, upZB;     // proj_up split into the x_mlstm and z halves
    private final Tensor convW, convB;
    private final Tensor qW, qB, kW, kB, vW, vB;      // LinearHeadwiseExpand (NHp, bs, bs)
    private final Tensor igW, igB, fgW, fgB;          // Linear(3I -> NH)
    private final Tensor outnormW, skip;
    private final Tensor downW, downB;
    private final MlstmCellKernel cell;
    private final Kernels kernels;

    MlstmBlock(MlstmBlockConfig cfg, Weights w, MlstmCellKernel cell, Kernels kernels) {
        this.cell = cell;
        this.kernels = kernels;
        MlstmLayerConfig c = cfg.mlstm();
        e = c.embeddingDim();
        inner = c.innerEmbeddingDim();
        nh = c.numHeads();
        dh = c.headDim();
        ks = c.conv1dKernelSize();
        int nhp = c.qkvProjHeads(), bs = c.qkvProjBlocksize();
        boolean bias = c.bias();
        normW = w.vector("xlstm_norm.weight", e);
        Tensor upW = w.matrix("xlstm.proj_up.weight", 2L * inner, e);
        upMW = upW.narrow0(0, inner);
        upZW = upW.narrow0(inner, 2L * inner);
        Tensor upB = bias ? w.vector("xlstm.proj_up.bias", 2L * inner) : null;
        upMB = upB == null ? null : upB.narrow0(0, inner);
        upZB = upB == null ? null : upB.narrow0(inner, 2L * inner);
        if (ks > 0) {
            convW = w.vector("xlstm.conv1d.conv.weight", inner, 1, ks);
            convB = w.vector("xlstm.conv1d.conv.bias", inner);
        } else {
            convW = null;
            convB = null;
        }
        qW = w.vector("xlstm.q_proj.weight", nhp, bs, bs);
        kW = w.vector("xlstm.k_proj.weight", nhp, bs, bs);
        vW = w.vector("xlstm.v_proj.weight", nhp, bs, bs);
        qB = bias ? w.vector("xlstm.q_proj.bias", inner) : null;
        kB = bias ? w.vector("xlstm.k_proj.bias", inner) : null;
        vB = bias ? w.vector("xlstm.v_proj.bias", inner) : null;
        igW = w.matrix("xlstm.mlstm_cell.igate.weight", nh, 3L * inner);
        igB = w.vector("xlstm.mlstm_cell.igate.bias", nh);
        fgW = w.matrix("xlstm.mlstm_cell.fgate.weight", nh, 3L * inner);
        fgB = w.vector("xlstm.mlstm_cell.fgate.bias", nh);
        outnormW = w.vector("xlstm.mlstm_cell.outnorm.weight", inner);
        skip = w.vector("xlstm.learnable_skip", inner);
        downW = w.matrix("xlstm.proj_down.weight", e, inner);
        downB = bias ? w.vector("xlstm.proj_down.bias", e) : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        int b = Math.toIntExact(x.dim(0)), s = Math.toIntExact(x.dim(1));
        Tensor xn = CpuOps.layerNorm(x, normW, null, LN_EPS, true);
        Tensor xm = CpuOps.linear(xn, upMW, upMB);
        Tensor z = CpuOps.linear(xn, upZW, upZB);
        Tensor xc = ks > 0 ? kernels.silu(CpuOps.conv1d(xm, convW, convB)) : xm;
        Tensor q = CpuOps.headwiseLinear(xc, qW, qB);
        Tensor k = CpuOps.headwiseLinear(xc, kW, kB);
        Tensor v = CpuOps.headwiseLinear(xm, vW, vB);
        Tensor[] gates = gates(q, k, v, b, s);
        Tensor h = Tensor.zeros(b, nh, s, dh);
        // the zero state a recurrent cell starts from (MLSTM's parallel form ignores it)
        Tensor c0 = Tensor.zeros(b, nh, dh, dh), n0 = Tensor.zeros(b, nh, dh), m0 = Tensor.zeros(b, nh);
        cell.forward(b, nh, s, dh, dh, CpuOps.toHeads(q, nh).data(), CpuOps.toHeads(k, nh).data(),
                CpuOps.toHeads(v, nh).data(), gates[0].data(), gates[1].data(), c0.data(), n0.data(), m0.data(), h.data());
        return finish(x, h, xc, z);
    }

    @Override
    public BlockState newState(int batch) {
        return new State(ks > 0 ? Tensor.zeros(batch, ks, inner) : null, Tensor.zeros(batch, nh, dh, dh),
                Tensor.zeros(batch, nh, dh), Tensor.zeros(batch, nh));
    }

    @Override
    public Tensor step(Tensor x, BlockState state) {
        State st = (State) state;
        int b = Math.toIntExact(x.dim(0));
        Tensor xn = CpuOps.layerNorm(x, normW, null, LN_EPS, true);
        Tensor xm = CpuOps.linear(xn, upMW, upMB);
        Tensor z = CpuOps.linear(xn, upZW, upZB);
        Tensor xc = ks > 0 ? kernels.silu(CpuOps.conv1dStep(xm, st.conv, convW, convB)) : xm;
        Tensor q = CpuOps.headwiseLinear(xc, qW, qB);
        Tensor k = CpuOps.headwiseLinear(xc, kW, kB);
        Tensor v = CpuOps.headwiseLinear(xm, vW, vB);
        Tensor[] gates = gates(q, k, v, b, 1);
        Tensor h = Tensor.zeros(b, nh, 1, dh);
        // with S = 1 the (B,S,NH*DH) rows are already (B,NH,DH)
        cell.step(b, nh, dh, dh, q.data(), k.data(), v.data(), gates[0].data(), gates[1].data(),
                st.c.data(), st.n.data(), st.m.data(), h.data());
        return finish(x, h, xc, z);
    }

    /** Input and forget gate pre-activations from concat(q, k, v), as (B, NH, S). */
    private Tensor[] gates(Tensor q, Tensor k, Tensor v, int b, int s) {
        Tensor qkv = CpuOps.concatLast(q, k, v);
        Tensor i = CpuOps.linear(qkv, igW, igB).reshape(b, s, nh, 1);
        Tensor f = CpuOps.linear(qkv, fgW, fgB).reshape(b, s, nh, 1);
        return new Tensor[] {CpuOps.swap12(i).reshape(b, nh, s), CpuOps.swap12(f).reshape(b, nh, s)};
    }

    /** outnorm, skip and output gate, down projection, residual. */
    private Tensor finish(Tensor x, Tensor h, Tensor xc, Tensor z) {
        Tensor hn = CpuOps.multiHeadLayerNorm(CpuOps.fromHeads(h), nh, outnormW, null, LN_EPS, true);
        Tensor hs = kernels.mlstmSkipGate(hn, xc, z, skip);
        Tensor y = CpuOps.linear(hs, downW, downB);
        CpuOps.addInPlace(y, x);
        return y;
    }

    /** Step state: conv window (B,KS,I) (null without convolution), C (B,NH,DH,DH), n (B,NH,DH), m (B,NH). */
    record State(Tensor conv, Tensor c, Tensor n, Tensor m) implements BlockState {}
}
