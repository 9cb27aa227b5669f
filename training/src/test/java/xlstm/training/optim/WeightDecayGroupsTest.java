package xlstm.training.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import xlstm.training.Parameter;
import xlstm.training.init.LmModelInit;
import xlstm.training.init.ReferenceConfigs;

class WeightDecayGroupsTest {
    @Test
    void theDecayGroupOfTheSpecModelIsTheVerifiedOne() {
        List<Parameter> params = new ArrayList<>();
        LmModelInit.of(ReferenceConfigs.specSmallModel(), 1).forEach((n, t) -> params.add(new Parameter(n, t)));
        List<ParamGroup> groups = WeightDecayGroups.of(params, 0.1, false);
        Set<String> decayed = new TreeSet<>();
        groups.get(0).parameters().forEach(p -> decayed.add(p.name()));
        String b0 = "xlstm_block_stack.blocks.0.", b1 = "xlstm_block_stack.blocks.1.";
        // SPEC §6.3 [verified]: proj_up, q/k/v_proj, both conv weights, mLSTM igate/fgate weights, proj_down,
        // the four sLSTM gate weights, FFN proj_up/proj_down, lm_head.weight
        Set<String> expected = new TreeSet<>(List.of(b0 + "xlstm.proj_up.weight", b0 + "xlstm.q_proj.weight",
                b0 + "xlstm.k_proj.weight", b0 + "xlstm.v_proj.weight", b0 + "xlstm.conv1d.conv.weight",
                b1 + "xlstm.conv1d.conv.weight", b0 + "xlstm.mlstm_cell.igate.weight",
                b0 + "xlstm.mlstm_cell.fgate.weight", b0 + "xlstm.proj_down.weight", b1 + "xlstm.fgate.weight",
                b1 + "xlstm.igate.weight", b1 + "xlstm.zgate.weight", b1 + "xlstm.ogate.weight",
                b1 + "ffn.proj_up.weight", b1 + "ffn.proj_down.weight", "lm_head.weight"));
        assertEquals(expected, decayed);
        assertEquals(0.1, groups.get(0).weightDecay());
        assertEquals(0.0, groups.get(1).weightDecay());
        assertEquals(params.size(), groups.get(0).parameters().size() + groups.get(1).parameters().size());
    }

    @Test
    void theEmbeddingIsDecayedOnlyWhenConfigured() {
        assertEquals(false, WeightDecayGroups.decays("token_embedding.weight", false));
        assertEquals(true, WeightDecayGroups.decays("token_embedding.weight", true));
        assertEquals(false, WeightDecayGroups.decays("backbone.blocks.0.norm_ffn.weight", true));
        assertEquals(false, WeightDecayGroups.decays("xlstm_block_stack.blocks.1.xlstm.slstm_cell._recurrent_kernel_", true));
    }
}
