package xlstm.training.model;

import java.util.Map;
import xlstm.runtime.config.BlockStackConfig;
import xlstm.runtime.config.LmModelConfig;
import xlstm.runtime.config.XlstmLargeConfig;
import xlstm.runtime.tensor.Tensor;
import xlstm.training.Trainable;

/**
 * The trainable models, from a config and weights by the reference's {@code state_dict} names (as
 * {@code WeightStore} loads them from a fixture, or as an initialiser makes them). Each tensor is copied into a
 * float32 {@link xlstm.training.Parameter}; a missing, mis-shaped or extra tensor is a
 * {@link xlstm.runtime.UserError} naming it.
 */
public final class TrainableModels {
    private TrainableModels() {}

    /** {@code xLSTMLMModel}. */
    public static Trainable lmModel(LmModelConfig cfg, Map<String, Tensor> weights) {
        return new TrainableLmModel(cfg, new ParameterSet(weights));
    }

    /** {@code xLSTMLarge} (weight modes single and fused). */
    public static Trainable large(XlstmLargeConfig cfg, Map<String, Tensor> weights) {
        return new TrainableLarge(cfg, new ParameterSet(weights));
    }

    /** A stand-alone {@code xLSTMBlockStack} (its weights without prefix, as the block-stack fixtures store them). */
    public static TrainableBlockStack blockStack(BlockStackConfig cfg, Map<String, Tensor> weights) {
        return new TrainableBlockStack(cfg, new ParameterSet(weights));
    }
}
