package xlstm.training.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xlstm.runtime.UserError;
import xlstm.runtime.tensor.Tensor;

class CheckpointStoreTest {
    @TempDir Path tmp;

    private static TrainingState state(long step, float value) {
        return new TrainingState(step, Map.of("w", Tensor.of(new float[] {value, 2}, 2)),
                Map.of("exp_avg.w", Tensor.of(new float[] {0.5f, 0.25f}, 2)), step, -123456789012345L,
                JsonNodeFactory.instance.objectNode().put("out", "x"));
    }

    @Test
    void aCheckpointRoundTripsAndOnlyTheNewestAreKept() {
        CheckpointStore store = new CheckpointStore(tmp.resolve("ck"));
        for (int s = 1; s <= 4; s++) store.save(state(s, s), 2);
        assertEquals(List.of("step-00000003", "step-00000004"),
                store.list().stream().map(p -> p.getFileName().toString()).toList());
        TrainingState back = CheckpointStore.load(store.latest());
        assertEquals(4, back.step());
        assertEquals(-123456789012345L, back.rngState()); // a long JSON readers would round as a number
        assertArrayEquals(new float[] {4, 2}, back.parameters().get("w").toFloatArray());
        assertArrayEquals(new float[] {0.5f, 0.25f}, back.optimizer().get("exp_avg.w").toFloatArray());
        assertEquals("x", back.runConfig().get("out").asText());
    }

    @Test
    void unfinishedSavesAreIgnoredAndCleanedUp() throws Exception {
        CheckpointStore store = new CheckpointStore(tmp.resolve("ck"));
        store.save(state(1, 1), 3);
        Path half = Files.createDirectories(tmp.resolve("ck/.step-00000002.tmp-99"));
        Files.writeString(half.resolve("model.safetensors"), "half written");
        assertEquals("step-00000001", store.latest().getFileName().toString());
        assertEquals(1, store.removeUnfinished());
        assertFalse(Files.exists(half));
    }

    @Test
    void aDamagedCheckpointIsAUserErrorNamingIt() throws Exception {
        CheckpointStore store = new CheckpointStore(tmp.resolve("ck"));
        Path p = store.save(state(1, 1), 3);
        Files.writeString(p.resolve("state.json"), "{\"step\": 7}");
        UserError e = assertThrows(UserError.class, () -> CheckpointStore.load(p));
        assertTrue(e.getMessage().contains("state.json"), e.getMessage());
        Files.delete(p.resolve("state.json"));
        UserError gone = assertThrows(UserError.class, () -> CheckpointStore.load(p));
        assertTrue(gone.getMessage().contains(p.toString()), gone.getMessage());
    }
}
