package xlstm.training.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import xlstm.runtime.config.ConfigFiles;
import xlstm.runtime.io.WeightStore;
import xlstm.runtime.tensor.Tensor;

/** The reference fixtures as the golden-tests module keeps them (path from -Dxlstm.golden.dir). */
final class GoldenFiles {
    private GoldenFiles() {}

    static Path dir(String name) {
        return Path.of(System.getProperty("xlstm.golden.dir", "../golden-tests/src/test/resources/golden")).resolve(name);
    }

    static JsonNode config(String name) {
        return ConfigFiles.read(dir(name).resolve("case.json")).get("config");
    }

    /** All tensors of one of the case's safetensors files, copied. */
    static Map<String, Tensor> tensors(String name, String file) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (WeightStore w = WeightStore.open(dir(name).resolve(file))) {
            for (String n : w.names()) out.put(n, w.get(n).copy());
        }
        return out;
    }

    static int[][] rows(Tensor ids) {
        int b = Math.toIntExact(ids.dim(0)), s = Math.toIntExact(ids.dim(1));
        long[] flat = ids.toLongArray();
        int[][] out = new int[b][s];
        for (int r = 0; r < b; r++) for (int t = 0; t < s; t++) out[r][t] = Math.toIntExact(flat[r * s + t]);
        return out;
    }

    /** max|a − b| over all elements. */
    static double maxAbsDiff(Tensor a, Tensor b) {
        if (a.numel() != b.numel()) return Double.POSITIVE_INFINITY;
        double m = 0;
        for (long i = 0; i < a.numel(); i++) m = Math.max(m, Math.abs((double) a.getFloat(i) - b.getFloat(i)));
        return m;
    }

    static double maxAbs(Tensor a) {
        double m = 0;
        for (long i = 0; i < a.numel(); i++) m = Math.max(m, Math.abs((double) a.getFloat(i)));
        return m;
    }
}
