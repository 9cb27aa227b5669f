package xlstm.backends;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import org.junit.jupiter.api.Test;

/**
 * {@link SignalGuard}: a handler replaced inside the guarded work is put back and reported. The work replaces the
 * SIGXFSZ disposition (SIG_IGN and SIG_DFL swapped), which nothing in a test JVM raises.
 */
class SignalGuardTest {
    private static final int SIGXFSZ = 25;

    @Test
    void aReplacedHandlerIsPutBack() throws Throwable {
        assumeTrue(SignalGuard.active(), "Linux with native access");
        Linker linker = Linker.nativeLinker();
        MethodHandle sigaction = linker.downcallHandle(linker.defaultLookup().find("sigaction").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.ADDRESS));
        long before = SignalGuard.handler(SIGXFSZ);
        long other = before == 1 ? 0 : 1; // SIG_IGN <-> SIG_DFL (anything else: SIG_IGN)
        String r = SignalGuard.preserving("a test", () -> {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment act = a.allocate(256, 16); // zeroed: empty mask, no flags
                act.set(ValueLayout.JAVA_LONG, 0, other);
                int rc = (int) sigaction.invokeExact(SIGXFSZ, act, MemorySegment.NULL);
                assertEquals(0, rc);
                assertEquals(other, SignalGuard.handler(SIGXFSZ), "replaced inside the work");
                return "done";
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
        });
        assertEquals("done", r);
        assertEquals(before, SignalGuard.handler(SIGXFSZ), "put back after it");
        assertTrue(SignalGuard.restored().contains("a test: SIGXFSZ"), SignalGuard.restored().toString());
    }

    @Test
    void untouchedHandlersAreNotReported() {
        assumeTrue(SignalGuard.active(), "Linux with native access");
        int n = SignalGuard.restored().size();
        assertEquals(7, (int) SignalGuard.preserving("nothing", () -> 7));
        assertEquals(n, SignalGuard.restored().size());
    }
}
