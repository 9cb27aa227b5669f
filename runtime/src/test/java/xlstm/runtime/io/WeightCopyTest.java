package xlstm.runtime.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xlstm.backends.DType;
import xlstm.runtime.tensor.Tensor;

/** {@link WeightStore#copying}: the weights out of the file mapping into fresh memory, the same bytes. */
class WeightCopyTest {
    @TempDir Path tmp;

    @Test
    void copiesFloatTensorsOutOfTheMapping() {
        float[] w = new float[3 * 700];
        for (int i = 0; i < w.length; i++) w[i] = (float) Math.sin(i);
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("w", Tensor.of(w, 3, 700));
        m.put("ids", Tensor.ofLongs(new long[] {4, 5}, 2));
        Path file = tmp.resolve("model.safetensors");
        SafetensorsWriter.write(file, m);
        for (boolean huge : new boolean[] {false, true}) {
            WeightStore mapped = WeightStore.open(file);
            assertTrue(mapped.get("w").data().isMapped(), "a safetensors file is read as a mapping");
            WeightStore copied = WeightStore.open(file).copying(huge);
            Tensor t = copied.require("w", 3, 700);
            assertFalse(t.data().isMapped(), "huge " + huge);
            assertEquals(DType.F32, t.dtype());
            assertArrayEquals(w, t.data().toArray(ValueLayout.JAVA_FLOAT), "huge " + huge);
            assertEquals(5L, copied.get("ids").getLong(1), "integer tensors as stored");
            assertTrue(copied.used().contains("w"), "usage is the store's");
        }
    }
}
