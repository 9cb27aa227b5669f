package xlstm.training.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import xlstm.runtime.config.BlockStackConfig;
import xlstm.runtime.config.LmModelConfig;
import xlstm.runtime.config.XlstmLargeConfig;
import xlstm.runtime.tensor.Tensor;
import xlstm.training.Batch;
import xlstm.training.Parameter;
import xlstm.training.Trainable;

/**
 * Whole-model gradients against directional finite differences, including the options the reference fixtures do not
 * cover: tied LM weights, the sLSTM's cuda weight layout, xLSTM Large fused weights with biases and without soft caps
 * or out norm.
 */
class ModelGradientsTest {
    private final Random rnd = new Random(11);

    @Test
    void blockStackWithAnSlstmBlock() {
        String name = "block_stack_mixed";
        Map<String, Tensor> io = GoldenFiles.tensors(name, "io.safetensors");
        TrainableBlockStack stack = TrainableModels.blockStack(BlockStackConfig.fromJson(GoldenFiles.config(name)),
                GoldenFiles.tensors(name, "weights.safetensors"));
        Tensor x = io.get("x"), r = io.get("r");
        Tensor dx = stack.backward(x, r);
        java.util.function.DoubleSupplier loss = () -> dot(stack.forward(x), r);
        DirectionalDerivative.check("x", x, dx, loss, rnd);
        for (Parameter p : stack.parameters()) DirectionalDerivative.check(p, loss, rnd);
    }

    @Test
    void blockStackWithBiasesWithoutConvolutionsOrOptionalNorms() {
        String name = "block_stack_mixed";
        ObjectNode cfg = GoldenFiles.config(name).deepCopy();
        cfg.put("bias", true);
        cfg.put("add_post_blocks_norm", false);
        ((ObjectNode) cfg.get("mlstm_block").get("mlstm")).put("conv1d_kernel_size", 0);
        ObjectNode slstm = (ObjectNode) cfg.get("slstm_block").get("slstm");
        slstm.put("conv1d_kernel_size", 0);
        slstm.put("group_norm_weight", false);
        ObjectNode ff = (ObjectNode) cfg.get("slstm_block").get("feedforward");
        ff.put("bias", true);
        ff.put("act_fn", "relu^2");
        BlockStackConfig c = BlockStackConfig.fromJson(cfg);
        Map<String, Tensor> w = new LinkedHashMap<>(GoldenFiles.tensors(name, "weights.safetensors"));
        w.keySet().removeIf(n -> n.contains("conv1d") || n.contains("group_norm") || n.startsWith("post_blocks_norm"));
        for (String n : java.util.List.copyOf(w.keySet())) {
            boolean mlstmLinear = n.matches("blocks\\.[02]\\.xlstm\\.(proj_up|proj_down|[qkv]_proj)\\.weight");
            boolean ffnLinear = n.matches("blocks\\.1\\.ffn\\.proj_(up|down)\\.weight");
            if (mlstmLinear || ffnLinear) {
                Tensor wt = w.get(n);
                long rows = wt.rank() == 3 ? wt.dim(0) * wt.dim(1) : wt.dim(0); // headwise: NH·dout
                w.put(n.replace(".weight", ".bias"), randomVector(rows));
            }
        }
        Map<String, Tensor> io = GoldenFiles.tensors(name, "io.safetensors");
        Tensor x = io.get("x"), r = io.get("r");
        Tensor expected = xlstm.runtime.model.XlstmBlockStack.load(c, xlstm.runtime.io.WeightStore.of(w, name), "").forward(x);
        TrainableBlockStack stack = TrainableModels.blockStack(c, w);
        double err = GoldenFiles.maxAbsDiff(expected, stack.forward(x)), tol = 1e-5 * GoldenFiles.maxAbs(expected);
        org.junit.jupiter.api.Assertions.assertTrue(err <= tol, "trainable vs inference " + err);
        Tensor dx = stack.backward(x, r);
        java.util.function.DoubleSupplier loss = () -> dot(stack.forward(x), r);
        DirectionalDerivative.check("x", x, dx, loss, rnd);
        for (Parameter p : stack.parameters()) DirectionalDerivative.check(p, loss, rnd);
    }

    @Test
    void lmModelWithTiedWeights() {
        String name = "lm_model_small";
        ObjectNode cfg = GoldenFiles.config(name).deepCopy();
        cfg.put("tie_weights", true);
        Map<String, Tensor> w = new LinkedHashMap<>(GoldenFiles.tensors(name, "weights.safetensors"));
        w.remove("lm_head.weight");
        checkAllParameters(TrainableModels.lmModel(LmModelConfig.fromJson(cfg), w), batch(name));
    }

    @Test
    void slstmCudaWeightLayout() {
        String name = "lm_model_small";
        ObjectNode cfg = GoldenFiles.config(name).deepCopy();
        ((ObjectNode) cfg.get("slstm_block").get("slstm")).put("backend", "cuda");
        Map<String, Tensor> w = new LinkedHashMap<>(GoldenFiles.tensors(name, "weights.safetensors"));
        String p = "xlstm_block_stack.blocks.1.xlstm.slstm_cell.";
        w.put(p + "_recurrent_kernel_", SlstmCudaLayout.kernel(w.get(p + "_recurrent_kernel_")));
        w.put(p + "_bias_", SlstmCudaLayout.bias(w.get(p + "_bias_"), 4));
        Trainable cuda = TrainableModels.lmModel(LmModelConfig.fromJson(cfg), w);
        Trainable vanilla = TrainableModels.lmModel(LmModelConfig.fromJson(GoldenFiles.config(name)),
                GoldenFiles.tensors(name, "weights.safetensors"));
        int[][] ids = batch(name).inputs();
        Tensor expected = vanilla.logits(ids);
        // equal up to the last bit of Math.exp/tanh, which differs between interpreted and JIT-compiled code
        double err = GoldenFiles.maxAbsDiff(expected, cuda.logits(ids)), tol = 1e-5 * GoldenFiles.maxAbs(expected);
        org.junit.jupiter.api.Assertions.assertTrue(err <= tol, "the same weights in either storage layout: " + err);
        checkAllParameters(cuda, batch(name));
    }

    @Test
    void slstmLayerWithTheLstmFunction() {
        String name = "lm_model_small";
        ObjectNode cfg = GoldenFiles.config(name).deepCopy();
        ((ObjectNode) cfg.get("slstm_block").get("slstm")).put("function", "lstm");
        LmModelConfig c = LmModelConfig.fromJson(cfg);
        Map<String, Tensor> w = GoldenFiles.tensors(name, "weights.safetensors");
        Trainable m = TrainableModels.lmModel(c, w);
        Tensor ids = GoldenFiles.tensors(name, "io.safetensors").get("input_ids");
        Tensor expected = xlstm.runtime.model.XlstmLmModel.load(c, xlstm.runtime.io.WeightStore.of(w, name)).forward(ids);
        double err = GoldenFiles.maxAbsDiff(expected, m.logits(GoldenFiles.rows(ids))), tol = 1e-5 * GoldenFiles.maxAbs(expected);
        org.junit.jupiter.api.Assertions.assertTrue(err <= tol, "lstm function: trainable vs inference " + err);
        checkAllParameters(m, batch(name));
    }

    @Test
    void largeFusedWithBiasesWithoutCapsOrOutNorm() {
        String name = "xlstm_large_small";
        ObjectNode cfg = GoldenFiles.config(name).deepCopy();
        cfg.put("weight_mode", "fused");
        cfg.put("use_bias", true);
        cfg.put("add_out_norm", false);
        cfg.putNull("gate_soft_cap");
        cfg.putNull("output_logit_soft_cap");
        XlstmLargeConfig c = XlstmLargeConfig.fromJson(cfg);
        Map<String, Tensor> w = new LinkedHashMap<>(GoldenFiles.tensors(name, "weights.safetensors"));
        w.remove("backbone.out_norm.weight");
        for (String n : java.util.List.copyOf(w.keySet())) {
            boolean hasBias = n.startsWith("backbone.blocks.") && n.endsWith(".weight") && !n.contains("igate_preact") && !n.contains("fgate_preact");
            if (hasBias) w.put(n.replace(".weight", ".bias"), randomVector(w.get(n).dim(0)));
        }
        checkAllParameters(TrainableModels.large(c, FusedWeights.of(c, w)), batch(name));
    }

    @Test
    void largeAsInTheFixture() {
        String name = "xlstm_large_small";
        checkAllParameters(TrainableModels.large(XlstmLargeConfig.fromJson(GoldenFiles.config(name)),
                GoldenFiles.tensors(name, "weights.safetensors")), batch(name));
    }

    private void checkAllParameters(Trainable m, Batch batch) {
        m.loss(batch, true);
        for (Parameter p : m.parameters()) DirectionalDerivative.check(p, () -> m.loss(batch, false), rnd);
    }

    private static Batch batch(String name) {
        Map<String, Tensor> io = GoldenFiles.tensors(name, "io.safetensors");
        int[][] targets = GoldenFiles.rows(io.get("targets"));
        targets[0][1] = Batch.IGNORE; // an ignored position must not count
        return new Batch(GoldenFiles.rows(io.get("input_ids")), targets);
    }

    private Tensor randomVector(long n) {
        float[] v = new float[Math.toIntExact(n)];
        for (int i = 0; i < v.length; i++) v[i] = (float) (0.1 * rnd.nextGaussian());
        return Tensor.of(v, n);
    }

    private static double dot(Tensor a, Tensor b) {
        double s = 0;
        for (long i = 0; i < a.numel(); i++) s += (double) a.getFloat(i) * b.getFloat(i);
        return s;
    }
}
