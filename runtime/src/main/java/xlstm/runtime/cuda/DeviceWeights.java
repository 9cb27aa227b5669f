package xlstm.runtime.cuda;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import xlstm.backends.DType;
import xlstm.backends.cuda.CudaContext;
import xlstm.runtime.config.XlstmLargeConfig;
import xlstm.runtime.model.XlstmLarge;
import xlstm.runtime.tensor.Tensor;

/**
 * xLSTM Large's weights on a CUDA device, laid out as {@link DeviceLarge} multiplies them: each block's q, k, v, o
 * and gate projections stacked into one matrix (rows q, k, v, o, i, f) with one fused float32 bias, the FFN's gate
 * and up stacked into another; matrices in bf16 or float32, norm weights and biases in float32; device addresses,
 * 0 where a tensor is absent. Freed by {@link #close()}.
 */
final class DeviceWeights implements AutoCloseable {
    /**
     * One block's weights. qkvoBias is always there (the gates have biases); projBias: whether q, k, v or o have
     * biases too.
     */
    record Block(long normM, long normMBias, long normF, long normFBias, long qkvo, long qkvoBias, boolean projBias,
            long headNorm, long headNormBias, long out, long outBias, long gateUp, long gateUpBias, long down,
            long downBias) {}

    final List<Block> blocks = new ArrayList<>();
    /** The token embedding (vocab x E), the LM head (the embedding itself when tied), the out norm (0: none). */
    long embedding, lmHead, outNorm, outNormBias;

    private final CudaContext ctx;
    private final DeviceBuffers mem;
    private final boolean bf16;
    private final int wBytes, e, nh, dqk, dv, p, vocab, r;

    private DeviceWeights(CudaContext ctx, XlstmLargeConfig cfg, boolean bf16) {
        this.ctx = ctx;
        this.mem = new DeviceBuffers(ctx);
        this.bf16 = bf16;
        wBytes = bf16 ? 2 : 4;
        e = cfg.embeddingDim();
        nh = cfg.numHeads();
        dqk = cfg.qkDim();
        dv = cfg.vDim();
        p = cfg.ffnUpProjDim();
        vocab = cfg.vocabSize();
        r = 2 * dqk + 2 * dv + 2 * nh;
    }

    /** The weights of {@code m} (as loaded on the CPU) copied to the device, matrices in bf16 or float32. */
    static DeviceWeights upload(CudaContext ctx, XlstmLarge m, boolean bf16) {
        DeviceWeights w = new DeviceWeights(ctx, m.config(), bf16);
        try {
            w.uploadFrom(m);
        } catch (RuntimeException ex) {
            w.close();
            throw ex;
        }
        return w;
    }

    /**
     * Deterministic random weights of {@code cfg}'s shape made on the device (uniform, scaled by 1/sqrt(fan-in); norm
     * weights 1, forget-gate biases 3): for benchmarks, no checkpoint needed.
     */
    static DeviceWeights random(CudaContext ctx, GlueKernels glue, XlstmLargeConfig cfg, boolean bf16, long seed) {
        DeviceWeights w = new DeviceWeights(ctx, cfg, bf16);
        try {
            w.randomise(glue, cfg, seed);
        } catch (RuntimeException ex) {
            w.close();
            throw ex;
        }
        return w;
    }

    /** Device bytes held. */
    long bytes() { return mem.bytes(); }

    private void uploadFrom(XlstmLarge m) {
        for (int i = 0; i < m.config().numBlocks(); i++) {
            XlstmLarge.BlockTensors b = m.blockTensors(i);
            blocks.add(new Block(vector(b.normMlstm()), vector(b.normMlstmBias()), vector(b.normFfn()),
                    vector(b.normFfnBias()), matrix(b.q(), b.k(), b.v(), b.ogate(), b.igate(), b.fgate()),
                    fusedBias(new int[] {dqk, dqk, dv, dv, nh, nh}, b.qBias(), b.kBias(), b.vBias(), b.ogateBias(),
                            b.igateBias(), b.fgateBias()),
                    b.qBias() != null || b.kBias() != null || b.vBias() != null || b.ogateBias() != null,
                    vector(b.headNorm()), vector(b.headNormBias()), matrix(b.out()), vector(b.outBias()),
                    matrix(b.ffnGate(), b.ffnUp()),
                    b.ffnGateBias() == null && b.ffnUpBias() == null ? 0
                            : fusedBias(new int[] {p, p}, b.ffnGateBias(), b.ffnUpBias()),
                    matrix(b.ffnDown()), vector(b.ffnDownBias())));
        }
        embedding = matrix(m.embeddingWeight());
        lmHead = m.lmHeadWeight() == m.embeddingWeight() ? embedding : matrix(m.lmHeadWeight());
        outNorm = vector(m.outNormWeight());
        outNormBias = vector(m.outNormBias());
        ctx.synchronize("uploading the weights");
    }

    /** Rows of the parts stacked into one device matrix in the weights' dtype. */
    private long matrix(Tensor... parts) {
        long rows = 0, cols = parts[0].dim(1);
        for (Tensor t : parts) rows += t.dim(0);
        long at = mem.alloc(rows * cols * wBytes);
        long off = 0;
        for (Tensor t : parts) {
            DType want = bf16 ? DType.BF16 : DType.F32;
            MemorySegment data = (t.dtype() == want ? t : t.to(want)).data();
            ctx.writeAt(at + off, data);
            off += data.byteSize();
        }
        return at;
    }

    /** A float32 vector on the device, or 0 for none. */
    private long vector(Tensor t) {
        if (t == null) return 0;
        MemorySegment data = t.toF32().data();
        long at = mem.alloc(data.byteSize());
        ctx.writeAt(at, data);
        return at;
    }

    /** The parts' biases in one float32 vector, zeros where a part has none. */
    private long fusedBias(int[] sizes, Tensor... biases) {
        int total = 0;
        for (int s : sizes) total += s;
        float[] all = new float[total];
        int off = 0;
        for (int i = 0; i < sizes.length; i++) {
            if (biases[i] != null) System.arraycopy(biases[i].toFloatArray(), 0, all, off, sizes[i]);
            off += sizes[i];
        }
        long at = mem.alloc(4L * total);
        ctx.writeAt(at, MemorySegment.ofArray(all));
        return at;
    }

    private void randomise(GlueKernels glue, XlstmLargeConfig cfg, long seed) {
        long[] s = {seed};
        for (int i = 0; i < cfg.numBlocks(); i++) {
            long bias = mem.zeros(4L * r);
            glue.fill(bias + 4L * (r - nh), nh, 3f); // forget gates open
            blocks.add(new Block(ones(glue, e), 0, ones(glue, e), 0, randomMatrix(glue, r, e, s), bias, false,
                    ones(glue, dv), 0, randomMatrix(glue, e, dv, s), 0, randomMatrix(glue, 2L * p, e, s), 0,
                    randomMatrix(glue, e, p, s), 0));
        }
        embedding = randomMatrix(glue, vocab, e, s);
        lmHead = randomMatrix(glue, vocab, e, s);
        outNorm = cfg.addOutNorm() ? ones(glue, e) : 0;
        ctx.synchronize("making random weights");
    }

    private long ones(GlueKernels glue, int n) {
        long at = mem.alloc(4L * n);
        glue.fill(at, n, 1f);
        return at;
    }

    private long randomMatrix(GlueKernels glue, long rows, long cols, long[] seed) {
        long at = mem.alloc(rows * cols * wBytes);
        glue.fillUniform(at, bf16, rows * cols, seed[0]++ * 0x632be59bd9b4e019L, (float) (1 / Math.sqrt(cols)));
        return at;
    }

    @Override
    public void close() {
        mem.close();
    }
}
