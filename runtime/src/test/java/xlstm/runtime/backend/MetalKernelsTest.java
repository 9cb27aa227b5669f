package xlstm.runtime.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import xlstm.backends.metal.Metal;
import xlstm.runtime.UserError;

/**
 * What of the {@code metal} backend can be checked on Linux: the Metal index's signatures and their
 * {@code [[buffer(i)]]} indices, the binding of a call's arguments, and "Metal needs macOS". The macOS launch path
 * itself is untested.
 */
class MetalKernelsTest {
    @Test
    void everyMetalSignatureMapsToTheSameParametersAsTheHipKernel() {
        KernelIndex metal = MetalKernels.index(), hip = HipKernels.index();
        assertTrue(metal != null && metal.size() == hip.size(), metal + " / " + hip);
        for (KernelIndex.Entry raw : metal.entries()) {
            KernelIndex.Entry m = MetalKernels.cSignature(raw);
            KernelIndex.Entry h = hip.get(raw.entry());
            assertEquals(h.params().size(), m.params().size(), raw.entry());
            for (int i = 0; i < m.params().size(); i++) {
                KernelIndex.Param mp = m.params().get(i), hp = h.params().get(i);
                String where = raw.entry() + " parameter " + i + ": " + mp + " vs " + hp;
                assertEquals(hp.pointer(), mp.pointer(), where);
                assertEquals(hp.written(), mp.written(), where);
                if (!hp.pointer()) assertEquals(hp.type(), mp.type(), where);
            }
            assertEquals(List.of(raw.launch(), raw.count(), raw.scratch()), List.of(h.launch(), h.count(), h.scratch()));
        }
    }

    @Test
    void bindsArgumentIAtBufferIThenScratch() {
        KernelIndex.Entry e = MetalKernels.cSignature(MetalKernels.index().get("mlstm_sig_step"));
        assertEquals("int", e.params().getFirst().type());
        assertEquals("B", e.params().getFirst().name());
        assertEquals("const float*", e.params().get(4).type());
        assertEquals("float*", e.params().get(9).type());
        Object[] args = new Object[14];
        for (int a = 0; a < 4; a++) args[a] = 2;
        MemorySegment[] bufs = new MemorySegment[14];
        for (int a = 4; a < 12; a++) {
            args[a] = MemorySegment.ofArray(new float[64]);
            bufs[a] = MemorySegment.ofAddress(0x100L * a);
        }
        args[12] = 1e-6f;
        args[13] = true;
        MemorySegment scratch = MemorySegment.ofAddress(0xFF00);
        List<Object> b = MetalKernels.bindings(LaunchPlan.of(e, args), args, bufs, scratch);
        assertEquals(15, b.size());
        for (int a = 0; a < 4; a++) assertEquals(2, b.get(a));
        for (int a = 4; a < 12; a++) assertSame(bufs[a], b.get(a), "buffer(" + a + ")");
        assertEquals(1e-6f, b.get(12));
        assertEquals(1, b.get(13), "a boolean is bound as int 1/0");
        assertSame(scratch, b.get(14), "scratch at the last buffer index");
    }

    @Test
    void aBufferIndexOtherThanThePositionOrAnUnknownFormIsRefused() {
        KernelIndex.Entry good = MetalKernels.index().get("silu_rows_apply");
        List<KernelIndex.Param> ps = new java.util.ArrayList<>(good.params());
        ps.set(1, new KernelIndex.Param("constant int& N", "[[buffer(5)]]"));
        KernelIndex.Entry swapped = new KernelIndex.Entry(good.entry(), good.file(), good.unit(), good.schedule(),
                good.launch(), good.count(), good.scratch(), List.copyOf(ps));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> MetalKernels.cSignature(swapped));
        assertTrue(e.getMessage().contains("[[buffer(5)]]"), e.getMessage());
        ps.set(1, new KernelIndex.Param("device int*", "N [[buffer(1)]]"));
        KernelIndex.Entry odd = new KernelIndex.Entry(good.entry(), good.file(), good.unit(), good.schedule(),
                good.launch(), good.count(), good.scratch(), List.copyOf(ps));
        assertThrows(IllegalStateException.class, () -> MetalKernels.cSignature(odd));
    }

    @Test
    void onLinuxMetalNeedsMacOs() {
        Assumptions.assumeFalse(Metal.isMacOs(), "macOS");
        assertTrue(MetalKernels.unavailableReason().startsWith("Metal needs macOS"), MetalKernels.unavailableReason());
        IllegalStateException e = assertThrows(IllegalStateException.class, MetalKernels::get);
        assertTrue(e.getMessage().startsWith("Metal needs macOS"), e.getMessage());
        UserError u = assertThrows(UserError.class, () -> KernelBackends.get("metal"));
        assertTrue(u.getMessage().startsWith("backend metal is not available: Metal needs macOS"), u.getMessage());
    }
}
