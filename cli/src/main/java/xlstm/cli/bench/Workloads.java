package xlstm.cli.bench;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import xlstm.backends.DType;
import xlstm.backends.cpu.CpuParallel;
import xlstm.generated.MlstmCell;
import xlstm.runtime.backend.JavaKernels;
import xlstm.runtime.backend.KernelBackend;
import xlstm.runtime.config.XlstmLargeConfig;
import xlstm.runtime.io.WeightStore;
import xlstm.runtime.model.LargeState;
import xlstm.runtime.model.XlstmLarge;
import xlstm.runtime.tensor.Tensor;

/**
 * The measured workloads, shared by {@code xlstm bench} (quick, no JMH) and the JMH benchmarks module, so that
 * both measure the same thing: the mLSTM cell's three schedules on random inputs, and an xLSTM Large with random
 * weights.
 */
public final class Workloads {
    /** Sizes of the mLSTM kernel benchmark: one sequence, four heads of 64 (query/key and value). */
    public static final int CELL_B = 1, CELL_NH = 4, CELL_DQK = 64, CELL_DV = 64, CELL_CHUNK = 64;

    /** Sequence lengths of the mLSTM kernel benchmark. */
    public static final List<Integer> CELL_SEQ = List.of(64, 256, 1024, 4096);

    /** The benchmark model: xLSTM Large with E=768, 12 blocks, 4 heads, the GPT-2/xLSTM vocabulary of 50304. */
    public static final int LARGE_E = 768, LARGE_BLOCKS = 12, LARGE_HEADS = 4, LARGE_VOCAB = 50304;

    private Workloads() {}

    // ------------------------------------------------------------------ mLSTM cell

    /** Inputs, states and output of one mLSTM kernel call; states are reset before each call. */
    public record Cell(int b, int nh, int s, int dqk, int dv, Tensor q, Tensor k, Tensor v, Tensor i, Tensor f,
                       Tensor c, Tensor n, Tensor m, Tensor h) {
        /** Zero initial state (every schedule starts from it, as the parallel form must). */
        public void reset() {
            c.fill(0f);
            n.fill(0f);
            m.fill(0f);
        }

        /** The recurrent schedule: S steps of the cell, the state carried. */
        public void sequence() {
            sequence(JavaKernels.INSTANCE);
        }

        /** {@link #sequence()} on {@code kb}. */
        public void sequence(KernelBackend kb) {
            reset();
            kb.mlstmSequence(b, nh, s, dqk, dv, q.data(), k.data(), v.data(), i.data(), f.data(), c.data(), n.data(),
                    m.data(), h.data(), MlstmCell.DEFAULT_EPS);
        }

        /** The chunkwise-parallel schedule with chunk size {@code chunk}. */
        public void chunkwise(int chunk) {
            chunkwise(JavaKernels.INSTANCE, chunk);
        }

        /** {@link #chunkwise(int)} on {@code kb}. */
        public void chunkwise(KernelBackend kb, int chunk) {
            reset();
            kb.mlstmChunkwise(b, nh, s, dqk, dv, chunk, q.data(), k.data(), v.data(), i.data(), f.data(), c.data(),
                    n.data(), m.data(), h.data(), MlstmCell.DEFAULT_EPS);
        }

        /** The quadratic parallel form (no state). */
        public void parallel() {
            parallel(JavaKernels.INSTANCE);
        }

        /** {@link #parallel()} on {@code kb}. */
        public void parallel(KernelBackend kb) {
            kb.mlstmParallel(b, nh, s, dqk, dv, q.data(), k.data(), v.data(), i.data(), f.data(), h.data(),
                    MlstmCell.DEFAULT_EPS);
        }

        public long tokens() { return (long) b * s; }
    }

    /** Random mLSTM inputs: q, k, v ~ U(-1, 1), input gates around 0, forget gates around +3 (a long memory). */
    public static Cell cell(int b, int nh, int s, int dqk, int dv, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        return new Cell(b, nh, s, dqk, dv,
                uniform(rnd, 1f, 0f, b, nh, s, dqk), uniform(rnd, 1f, 0f, b, nh, s, dqk),
                uniform(rnd, 1f, 0f, b, nh, s, dv), uniform(rnd, 1f, 0f, b, nh, s), uniform(rnd, 1f, 3f, b, nh, s),
                Tensor.zeros(b, nh, dqk, dv), Tensor.zeros(b, nh, dqk), Tensor.zeros(b, nh), Tensor.zeros(b, nh, s, dv));
    }

    public static Cell cell(int s) {
        return cell(CELL_B, CELL_NH, s, CELL_DQK, CELL_DV, 42 + s);
    }

    // ------------------------------------------------------------------ xLSTM Large

    /** The benchmark model's config: inference mode, chunkwise prefill with chunk 64, float32 state. */
    public static XlstmLargeConfig largeConfig() {
        return XlstmLargeConfig.of(LARGE_E, LARGE_HEADS, LARGE_BLOCKS, LARGE_VOCAB).withMode("inference", true);
    }

    /**
     * Random float32 weights for {@code cfg} under the reference's state_dict names (single weight mode; biases
     * when {@code use_bias}): matrices ~ U(-a, a) with a = 1/sqrt(fan_in), norm weights 1, gate biases as the
     * reference initialises them in spirit (forget gates open).
     */
    public static WeightStore randomLargeWeights(XlstmLargeConfig cfg, long seed) {
        int e = cfg.embeddingDim(), nh = cfg.numHeads(), dqk = cfg.qkDim(), dv = cfg.vDim(), p = cfg.ffnUpProjDim();
        int v = cfg.vocabSize();
        boolean bias = cfg.useBias();
        Map<String, long[]> shapes = new LinkedHashMap<>();
        shapes.put("embedding.weight", new long[] {v, e});
        for (int i = 0; i < cfg.numBlocks(); i++) {
            String b = "backbone.blocks." + i + ".";
            shapes.put(b + "norm_mlstm.weight", new long[] {e});
            linear(shapes, b + "mlstm_layer.q", dqk, e, bias);
            linear(shapes, b + "mlstm_layer.k", dqk, e, bias);
            linear(shapes, b + "mlstm_layer.v", dv, e, bias);
            linear(shapes, b + "mlstm_layer.ogate_preact", dv, e, bias);
            linear(shapes, b + "mlstm_layer.igate_preact", nh, e, true);
            linear(shapes, b + "mlstm_layer.fgate_preact", nh, e, true);
            shapes.put(b + "mlstm_layer.multihead_norm.weight", new long[] {dv});
            if (bias) shapes.put(b + "mlstm_layer.multihead_norm.bias", new long[] {dv});
            linear(shapes, b + "mlstm_layer.out_proj", e, dv, bias);
            shapes.put(b + "norm_ffn.weight", new long[] {e});
            if (bias) {
                shapes.put(b + "norm_mlstm.bias", new long[] {e});
                shapes.put(b + "norm_ffn.bias", new long[] {e});
            }
            linear(shapes, b + "ffn.proj_up_gate", p, e, bias);
            linear(shapes, b + "ffn.proj_up", p, e, bias);
            linear(shapes, b + "ffn.proj_down", e, p, bias);
        }
        shapes.put("backbone.out_norm.weight", new long[] {e});
        if (bias) shapes.put("backbone.out_norm.bias", new long[] {e});
        shapes.put("lm_head.weight", new long[] {v, e});

        List<String> names = List.copyOf(shapes.keySet());
        Tensor[] tensors = new Tensor[names.size()];
        CpuParallel.forEach(names.size(), j -> {
            String name = names.get(j);
            long[] shape = shapes.get(name);
            SplittableRandom rnd = new SplittableRandom(seed * 1_000_003L + j);
            Tensor t;
            if (name.contains("norm") && name.endsWith(".weight")) {
                t = Tensor.zeros(shape);
                t.fill(1f);
            } else if (name.endsWith("fgate_preact.bias")) {
                t = uniform(rnd, 1f, 4f, shape);
            } else if (name.endsWith("igate_preact.bias")) {
                t = uniform(rnd, 1f, -5f, shape);
            } else if (name.endsWith(".bias")) {
                t = Tensor.zeros(shape);
            } else {
                t = uniform(rnd, (float) (1 / Math.sqrt(shape[shape.length - 1])), 0f, shape);
            }
            tensors[j] = t;
        });
        Map<String, Tensor> map = new LinkedHashMap<>();
        for (int j = 0; j < names.size(); j++) map.put(names.get(j), tensors[j]);
        return WeightStore.of(map, "random weights (seed " + seed + ")");
    }

    private static void linear(Map<String, long[]> shapes, String prefix, int out, int in, boolean bias) {
        shapes.put(prefix + ".weight", new long[] {out, in});
        if (bias) shapes.put(prefix + ".bias", new long[] {out});
    }

    /** The benchmark model with random weights. */
    public static XlstmLarge randomLarge(long seed) {
        return randomLarge(seed, JavaKernels.INSTANCE);
    }

    /** {@link #randomLarge(long)} with its cell and pointwise kernels on {@code kb}. */
    public static XlstmLarge randomLarge(long seed, KernelBackend kb) {
        return randomLarge(seed, kb, DType.F32);
    }

    /** {@link #randomLarge(long, KernelBackend)} with its matrices (embedding, projections, head) in {@code dtype}. */
    public static XlstmLarge randomLarge(long seed, KernelBackend kb, DType dtype) {
        XlstmLargeConfig cfg = largeConfig();
        WeightStore w = randomLargeWeights(cfg, seed);
        if (dtype != DType.F32) {
            Map<String, Tensor> converted = new LinkedHashMap<>();
            for (String name : w.names()) {
                Tensor t = w.require(name);
                converted.put(name, t.rank() == 2 ? t.to(dtype) : t);
            }
            w = WeightStore.of(converted, w.source() + " in " + dtype);
        }
        return XlstmLarge.load(cfg, w, false, kb);
    }

    /** Random token ids (B, S) in [0, vocab). */
    public static Tensor randomIds(int b, int s, int vocab, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        long[] ids = new long[b * s];
        for (int j = 0; j < ids.length; j++) ids[j] = rnd.nextInt(vocab);
        return Tensor.ofLongs(ids, b, s);
    }

    /** One prefill: the whole prompt through the chunkwise path from a fresh state. */
    public static Tensor prefill(XlstmLarge model, Tensor ids, LargeState state) {
        state.reset();
        return model.forward(ids, state);
    }

    /**
     * One decode step: a single token per row through the recurrent step, the state carried; the logits (B, V) are
     * the state's buffer, as generation uses them.
     */
    public static Tensor decode(XlstmLarge model, long[] nextIds, LargeState state) {
        return model.step(nextIds, state);
    }

    private static Tensor uniform(SplittableRandom rnd, float scale, float offset, long... shape) {
        Tensor t = Tensor.zeros(shape);
        MemorySegment seg = t.data();
        long n = t.numel();
        for (long j = 0; j < n; j++) {
            seg.setAtIndex(ValueLayout.JAVA_FLOAT, j, offset + scale * (float) (2 * rnd.nextDouble() - 1));
        }
        return t;
    }
}
