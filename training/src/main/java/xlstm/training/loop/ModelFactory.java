package xlstm.training.loop;

import java.util.Map;
import xlstm.runtime.config.LmModelConfig;
import xlstm.runtime.config.XlstmLargeConfig;
import xlstm.runtime.tensor.Tensor;
import xlstm.training.Trainable;
import xlstm.training.baseline.BigramModel;
import xlstm.training.model.TrainableModels;

/**
 * Builds the trainable network of a {@link ModelSpec} from its weights (by {@code state_dict} name). The loop
 * knows models only through this and {@link Trainable}; {@link #REFERENCE} is the project's models.
 */
public interface ModelFactory {
    Trainable lmModel(LmModelConfig cfg, Map<String, Tensor> weights);

    Trainable large(XlstmLargeConfig cfg, Map<String, Tensor> weights);

    default Trainable create(ModelSpec spec, Map<String, Tensor> weights) {
        return switch (spec) {
            case ModelSpec.Lm lm -> lmModel(lm.config(), weights);
            case ModelSpec.Large large -> large(large.config(), weights);
            case ModelSpec.Bigram bigram -> BigramModel.of(bigram.vocabSize(), weights);
        };
    }

    /** The project's trainable xLSTM models (module training's backward passes). */
    ModelFactory REFERENCE = new ModelFactory() {
        @Override public Trainable lmModel(LmModelConfig cfg, Map<String, Tensor> weights) {
            return TrainableModels.lmModel(cfg, weights);
        }

        @Override public Trainable large(XlstmLargeConfig cfg, Map<String, Tensor> weights) {
            return TrainableModels.large(cfg, weights);
        }
    };
}
