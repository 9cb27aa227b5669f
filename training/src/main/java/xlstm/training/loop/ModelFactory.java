package xlstm.training.loop;

import java.util.Map;
import xlstm.runtime.config.LmModelConfig;
import xlstm.runtime.config.XlstmLargeConfig;
import xlstm.runtime.tensor.Tensor;
import xlstm.training.Trainable;
import xlstm.training.baseline.BigramModel;

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
        // The backward passes (xlstm.training.model.TrainableModels) are not in this build yet: wire them in here.
        @Override public Trainable lmModel(LmModelConfig cfg, Map<String, Tensor> weights) { throw missing("lm"); }

        @Override public Trainable large(XlstmLargeConfig cfg, Map<String, Tensor> weights) { throw missing("large"); }

        private xlstm.runtime.UserError missing(String type) {
            return new xlstm.runtime.UserError("model type '" + type + "' cannot be trained yet: the xLSTM backward"
                    + " passes are not part of this build (model type 'bigram' trains now)");
        }
    };
}
