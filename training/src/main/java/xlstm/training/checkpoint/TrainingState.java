package xlstm.training.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import xlstm.runtime.tensor.Tensor;

/**
 * Everything a run needs to continue as if it had never stopped: the parameters (by {@code state_dict} name), the
 * optimiser's moments and step count, the data generator's state, the step reached and the run's config.
 */
public record TrainingState(long step, Map<String, Tensor> parameters, Map<String, Tensor> optimizer,
                            long optimizerSteps, long rngState, JsonNode runConfig) {
}
