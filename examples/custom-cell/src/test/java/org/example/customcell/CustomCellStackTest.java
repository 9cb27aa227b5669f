package org.example.customcell;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import xlstm.codegen.interp.Interpreter;
import xlstm.dsl.ir.CellIR;
import xlstm.runtime.config.BlockStackConfig;
import xlstm.runtime.config.ConfigFiles;
import xlstm.runtime.io.WeightStore;
import xlstm.runtime.model.BlockStackState;
import xlstm.runtime.model.MlstmCellKernel;
import xlstm.runtime.model.XlstmBlockStack;
import xlstm.runtime.tensor.Tensor;

/**
 * (c) The new cell inside an {@link XlstmBlockStack}, through the public API: two mLSTM blocks and an sLSTM block
 * with random weights, the mLSTM layers running {@link CifgMlstm}. The whole sequence equals the same stack with the
 * cell replaced by the compiler's float64 interpreter of the DSL; token-by-token stepping equals the whole sequence;
 * and the output is not that of the project's own mLSTM cell (the plugged-in cell is really the one that runs).
 */
class CustomCellStackTest {
    static final String CONFIG = """
            {"mlstm_block": {"mlstm": {"conv1d_kernel_size": 4, "qkv_proj_blocksize": 4, "num_heads": 4}},
             "slstm_block": {"slstm": {"backend": "vanilla", "num_heads": 4, "conv1d_kernel_size": 4},
                             "feedforward": {"proj_factor": 1.3, "act_fn": "gelu"}},
             "context_length": 32, "num_blocks": 3, "embedding_dim": 32, "slstm_at": [1],
             "bias": false, "add_post_blocks_norm": true}
            """;
    static final int B = 2, S = 19;
    static final double EPS = org.example.customcell.kernels.MlstmCifgCell.DEFAULT_EPS;

    static BlockStackConfig config() { return BlockStackConfig.fromJson(ConfigFiles.parseText(CONFIG, false, "test config")); }

    static XlstmBlockStack stack(MlstmCellKernel cell) { return XlstmBlockStack.load(config(), new MadeUpWeights(0.3f), "", cell); }

    static Tensor input() {
        Random r = new Random(5);
        float[] x = new float[B * S * 32];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        return Tensor.of(x, B, S, 32);
    }

    static double[] d(Tensor t) {
        float[] f = t.toFloatArray();
        double[] out = new double[f.length];
        for (int i = 0; i < f.length; i++) out[i] = f[i];
        return out;
    }

    @Test
    void forwardMatchesTheStackWithTheInterpretedCell() {
        double[] y = d(stack(new CifgMlstm()).forward(input()));
        double[] ref = d(stack(new InterpretedCell(Reference.cell("mlstm_cifg"))).forward(input()));
        double err = Reference.assertClose("y (generated cell vs interpreter)", y, ref, 1e-4, 1e-4);
        System.out.printf("[custom-cell] block stack, mlstm_cifg: max|y - y_interpreter| = %.3e%n", err);
    }

    @Test
    void stepsReproduceTheSequence() {
        XlstmBlockStack stack = stack(new CifgMlstm());
        Tensor x = input();
        double[] whole = d(stack.forward(x));
        float[] xs = x.toFloatArray();
        double[] stepped = new double[whole.length];
        BlockStackState state = stack.newState(B);
        for (int t = 0; t < S; t++) {
            float[] xt = new float[B * 32];
            for (int r = 0; r < B; r++) System.arraycopy(xs, (r * S + t) * 32, xt, r * 32, 32);
            float[] yt = stack.step(Tensor.of(xt, B, 1, 32), state).toFloatArray();
            for (int r = 0; r < B; r++) for (int e = 0; e < 32; e++) stepped[(r * S + t) * 32 + e] = yt[r * 32 + e];
        }
        double err = Reference.assertClose("y (step by step vs sequence)", stepped, whole, 1e-5, 1e-5);
        System.out.printf("[custom-cell] block stack, mlstm_cifg: max|y_step - y_sequence| = %.3e%n", err);
    }

    @Test
    void theCellIsTheOneThatRuns() {
        double[] custom = d(stack(new CifgMlstm()).forward(input()));
        double[] mlstm = d(stack(MlstmCellKernel.MLSTM).forward(input()));
        double diff = 0;
        for (int i = 0; i < custom.length; i++) diff = Math.max(diff, Math.abs(custom[i] - mlstm[i]));
        for (double v : custom) assertTrue(Double.isFinite(v));
        assertTrue(diff > 1e-3, "the stack with mlstm_cifg computes what the one with mlstm does (max diff " + diff + ")");
        System.out.printf("[custom-cell] block stack: max|y_mlstm_cifg - y_mlstm| = %.3e%n", diff);
    }

    /** The cell as the float64 interpreter runs it, behind the same interface (the reference of the stack test). */
    static final class InterpretedCell implements MlstmCellKernel {
        private final CellIR cell;

        InterpretedCell(CellIR cell) { this.cell = cell; }

        @Override
        public void forward(int b, int nh, int s, int dqk, int dv, MemorySegment q, MemorySegment k, MemorySegment v,
                            MemorySegment i, MemorySegment f, MemorySegment c, MemorySegment n, MemorySegment m,
                            MemorySegment h) {
            run(b, nh, s, dqk, dv, q, k, v, i, f, c, n, m, h);
        }

        @Override
        public void step(int b, int nh, int dqk, int dv, MemorySegment q, MemorySegment k, MemorySegment v,
                         MemorySegment i, MemorySegment f, MemorySegment c, MemorySegment n, MemorySegment m,
                         MemorySegment h) {
            run(b, nh, 1, dqk, dv, q, k, v, i, f, c, n, m, h);
        }

        private void run(int b, int nh, int s, int dqk, int dv, MemorySegment q, MemorySegment k, MemorySegment v,
                         MemorySegment i, MemorySegment f, MemorySegment c, MemorySegment n, MemorySegment m,
                         MemorySegment h) {
            int rows = b * nh;
            Map<String, double[]> t = new HashMap<>();
            t.put("q", Reference.read(q, rows * s * dqk));
            t.put("k", Reference.read(k, rows * s * dqk));
            t.put("v", Reference.read(v, rows * s * dv));
            t.put("i", Reference.read(i, rows * s));
            t.put("f", Reference.read(f, rows * s));
            t.put("C", Reference.read(c, rows * dqk * dv));
            t.put("n", Reference.read(n, rows * dqk));
            t.put("m", Reference.read(m, rows));
            t.put("h", new double[rows * s * dv]);
            Interpreter.sequence(cell, b, nh, s, Reference.call(dqk, dv, EPS), t);
            Reference.write(c, t.get("C"));
            Reference.write(n, t.get("n"));
            Reference.write(m, t.get("m"));
            Reference.write(h, t.get("h"));
        }
    }


    /** Makes up every tensor the model asks for: uniform in ±scale, seeded by the name, of the requested shape. */
    static final class MadeUpWeights extends WeightStore {
        private final Map<String, Tensor> made = new LinkedHashMap<>();
        private final float scale;

        MadeUpWeights(float scale) { this.scale = scale; }

        @Override public String source() { return "made-up weights"; }

        @Override public Set<String> names() { return made.keySet(); }

        @Override public boolean contains(String name) { return made.containsKey(name); }

        @Override protected Tensor load(String name) { return made.get(name); }

        @Override
        public Tensor require(String name, long... shape) {
            made.computeIfAbsent(name, x -> {
                Random rnd = new Random(x.hashCode() * 31L + 7);
                float[] v = new float[Math.toIntExact(Tensor.count(shape))];
                for (int j = 0; j < v.length; j++) v[j] = (rnd.nextFloat() * 2 - 1) * scale;
                return Tensor.of(v, shape);
            });
            return super.require(name, shape);
        }
    }
}
