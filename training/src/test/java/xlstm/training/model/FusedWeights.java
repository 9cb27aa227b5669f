package xlstm.training.model;

import java.util.LinkedHashMap;
import java.util.Map;
import xlstm.runtime.config.XlstmLargeConfig;
import xlstm.runtime.tensor.Tensor;

/** xLSTM Large weights of weight mode "single" rewritten as "fused" (rows concatenated in the fused order). */
final class FusedWeights {
    private FusedWeights() {}

    static Map<String, Tensor> of(XlstmLargeConfig cfg, Map<String, Tensor> single) {
        Map<String, Tensor> out = new LinkedHashMap<>(single);
        for (int b = 0; b < cfg.numBlocks(); b++) {
            String p = "backbone.blocks." + b + ".", l = p + "mlstm_layer.";
            fuse(out, l + "qkv_opreact.weight", l + "q.weight", l + "k.weight", l + "v.weight", l + "ogate_preact.weight");
            fuse(out, l + "ifgate_preact.weight", l + "igate_preact.weight", l + "fgate_preact.weight");
            fuse(out, l + "ifgate_preact.bias", l + "igate_preact.bias", l + "fgate_preact.bias");
            fuse(out, p + "ffn.proj_up_gate_z.weight", p + "ffn.proj_up_gate.weight", p + "ffn.proj_up.weight");
            if (cfg.useBias()) {
                fuse(out, l + "qkv_opreact.bias", l + "q.bias", l + "k.bias", l + "v.bias", l + "ogate_preact.bias");
                fuse(out, p + "ffn.proj_up_gate_z.bias", p + "ffn.proj_up_gate.bias", p + "ffn.proj_up.bias");
            }
        }
        return out;
    }

    /** Replaces {@code parts} by their concatenation along the first axis under {@code name}. */
    static void fuse(Map<String, Tensor> w, String name, String... parts) {
        long rows = 0;
        long[] shape = w.get(parts[0]).shape();
        for (String part : parts) rows += w.get(part).dim(0);
        shape[0] = rows;
        Tensor f = Tensor.zeros(shape);
        long off = 0;
        for (String part : parts) {
            Tensor t = w.remove(part).toF32();
            java.lang.foreign.MemorySegment.copy(t.data(), 0, f.data(), off, t.data().byteSize());
            off += t.data().byteSize();
        }
        w.put(name, f);
    }
}
