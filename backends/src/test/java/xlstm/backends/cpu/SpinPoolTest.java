package xlstm.backends.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** Both claim modes of {@link SpinPool} (compare-and-set, atomic add): every index once, failures reported. */
class SpinPoolTest {
    @Test
    void everyIndexOnceInBothClaimModes() {
        for (boolean xadd : new boolean[] {false, true}) {
            SpinPool pool = new SpinPool(3, xadd);
            for (int job = 0; job < 5000; job++) {
                int total = 1 + job % 301, size = 1 + job % 7, n = (total + size - 1) / size;
                AtomicIntegerArray seen = new AtomicIntegerArray(total);
                pool.run(n, size, total, seen::incrementAndGet);
                for (int i = 0; i < total; i++) assertEquals(1, seen.get(i), "xadd " + xadd + " job " + job + " index " + i);
            }
            RuntimeException e = assertThrows(RuntimeException.class, () -> pool.run(40, c -> {
                if (c == 33) throw new IllegalStateException("chunk 33");
            }));
            assertTrue(e.getMessage().contains("chunk 33"), "xadd " + xadd);
            AtomicIntegerArray after = new AtomicIntegerArray(64);
            pool.run(64, after::incrementAndGet);
            for (int i = 0; i < 64; i++) assertEquals(1, after.get(i), "usable after a failure, xadd " + xadd);
        }
    }
}
