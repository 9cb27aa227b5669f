package xlstm.training.optim;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import xlstm.training.Parameter;

/**
 * The reference's two optimiser groups (SPEC §6.3, {@code _create_weight_decay_optim_groups}): a parameter is
 * decayed iff its name contains "weight" and not "norm"; biases, norm weights, {@code learnable_skip} and the
 * sLSTM cell's {@code _recurrent_kernel_}/{@code _bias_} are not. The token embedding goes to the no-decay group
 * unless {@code weight_decay_on_embedding}.
 */
public final class WeightDecayGroups {
    /** The embedding names of both architectures (original, xLSTM Large, Hugging Face). */
    public static final Set<String> EMBEDDINGS =
            Set.of("token_embedding.weight", "embedding.weight", "backbone.embeddings.weight");

    private WeightDecayGroups() {}

    public static boolean decays(String name, boolean decayEmbedding) {
        if (EMBEDDINGS.contains(name) && !decayEmbedding) return false;
        return name.contains("weight") && !name.contains("norm");
    }

    /** [decay group with {@code weightDecay}, no-decay group]; empty groups are left out. */
    public static List<ParamGroup> of(List<Parameter> params, double weightDecay, boolean decayEmbedding) {
        List<Parameter> decay = new ArrayList<>(), none = new ArrayList<>();
        for (Parameter p : params) (decays(p.name(), decayEmbedding) ? decay : none).add(p);
        List<ParamGroup> out = new ArrayList<>();
        if (!decay.isEmpty()) out.add(new ParamGroup("decay", decay, weightDecay));
        if (!none.isEmpty()) out.add(new ParamGroup("no_decay", none, 0.0));
        return out;
    }
}
