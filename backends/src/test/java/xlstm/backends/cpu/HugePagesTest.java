package xlstm.backends.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** {@link HugePages}: a usable block of the asked size, 2 MiB aligned where it was advised. */
class HugePagesTest {
    @Test
    void blockIsWritableAndAlignedWhenAdvised() {
        long bytes = 5L * 1024 * 1024 + 12;
        HugePages.Block b = HugePages.allocate(bytes);
        assertEquals(bytes, b.segment().byteSize());
        if (b.advised()) assertEquals(0, b.segment().address() % HugePages.PAGE);
        for (long i = 0; i + 4 <= bytes; i += 4096) b.segment().set(ValueLayout.JAVA_INT_UNALIGNED, i, (int) i);
        for (long i = 0; i + 4 <= bytes; i += 4096) assertEquals((int) i, b.segment().get(ValueLayout.JAVA_INT_UNALIGNED, i));
    }

    @Test
    void blockOfAnArenaLivesExactlyAsLongAsTheArena() {
        MemorySegment s;
        try (Arena arena = Arena.ofConfined()) {
            s = HugePages.allocate(3L * 1024 * 1024, arena).segment();
            s.set(ValueLayout.JAVA_INT, 0, 7);
            assertTrue(s.scope().isAlive());
        }
        assertFalse(s.scope().isAlive(), "freed when the arena closed");
        MemorySegment dead = s;
        assertThrows(IllegalStateException.class, () -> dead.get(ValueLayout.JAVA_INT, 0));
    }
}
