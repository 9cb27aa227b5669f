package xlstm.runtime.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class KernelIndexTest {
    @Test
    void evaluatesCountAndScratchExpressions() {
        Map<String, Long> v = Map.of("B", 2L, "NH", 3L, "L", 16L, "DQK", 8L, "DV", 4L, "rows", 10L, "N", 7L);
        assertEquals(6, KernelIndex.eval("B*NH", v));
        assertEquals(2 * 3 * (16 * (2 * 8 + 4 + 16 + 7)), KernelIndex.eval("B*NH*(L*(2*DQK+DV+L+7))", v));
        assertEquals(10 * ((7 + 3) / 4), KernelIndex.eval("rows*((N+3)/4)", v));
        assertEquals(0, KernelIndex.eval("0", v));
        assertEquals(5, KernelIndex.eval(" 7 - 2 ", v));
        assertThrows(IllegalStateException.class, () -> KernelIndex.eval("B*X", v));
        assertThrows(IllegalStateException.class, () -> KernelIndex.eval("(B", v));
        assertThrows(IllegalStateException.class, () -> KernelIndex.eval("B/0", v));
    }

    @Test
    void theIndexOfThisBuildIsConsistentWhenPresent() {
        KernelIndex index = KernelIndex.load(OpenClKernels.FOLDER);
        if (index == null) return; // a build without the OpenCL emitter: nothing to check
        for (String entry : new String[] {"mlstm_step", "mlstm_chunkwise", "slstm_sequence", "softcap_rows_apply"}) {
            KernelIndex.Entry e = index.get(entry);
            assertTrue(e != null, entry + " is in the index");
            assertTrue(index.source(e).contains(entry), entry + "'s file defines it");
            assertTrue(e.params().getFirst().type().equals("int"), e.params().toString());
        }
        assertEquals(index.size(), index.entries().size());
        assertEquals(index.entries().getFirst(), index.get(index.entries().getFirst().entry()));
        KernelIndex slashes = KernelIndex.load("/" + OpenClKernels.FOLDER + "/", KernelIndexTest.class.getClassLoader());
        assertEquals(OpenClKernels.FOLDER, slashes.folder());
        assertEquals(index.entries(), slashes.entries());
        assertEquals(null, KernelIndex.load("no/such/folder"));
        KernelIndex.Entry step = index.get("mlstm_step");
        assertFalse(step.params().stream().filter(p -> p.name().equals("q")).findFirst().orElseThrow().written());
        assertTrue(step.params().stream().filter(p -> p.name().equals("C")).findFirst().orElseThrow().written());
    }
}
