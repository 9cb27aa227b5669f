package xlstm.runtime.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import xlstm.runtime.UserError;

class KernelBackendsTest {
    @Test
    void everyBackendIsListedOnceRankedWithAReasonWhenUnavailable() {
        List<KernelBackends.Status> all = KernelBackends.statuses();
        assertEquals(KernelBackends.NAMES.size(), all.size());
        assertTrue(all.stream().map(KernelBackends.Status::name).toList().containsAll(KernelBackends.NAMES));
        for (int i = 1; i < all.size(); i++) assertTrue(all.get(i - 1).rank() <= all.get(i).rank(), all.toString());
        for (KernelBackends.Status s : all) {
            if (!s.available()) assertTrue(!s.device().reason().isBlank(), s.name() + " says why it is unavailable");
        }
        assertTrue(KernelBackends.status("cpu").available());
        KernelBackends.Status hip = KernelBackends.status("hip");
        assertEquals(1, hip.rank(), "hip ranks after cuda");
        if (!hip.available()) assertTrue(hip.device().reason().startsWith("HIP: "), hip.device().reason());
        KernelBackends.Status cuda = KernelBackends.status("cuda");
        assertEquals(0, cuda.rank(), "cuda ranks first");
        if (!cuda.available()) {
            assertTrue(cuda.device().reason().startsWith("CUDA: ") || cuda.device().reason().contains("no CUDA kernels"),
                    cuda.device().reason());
        }
        if (!System.getProperty("os.name").toLowerCase().contains("mac")) {
            assertTrue(KernelBackends.status("metal").device().reason().contains("Metal needs macOS"));
        }
    }

    @Test
    void namesResolveAndAutoExplainsItsChoice() {
        assertSame(JavaKernels.INSTANCE, KernelBackends.get("cpu"));
        assertSame(JavaKernels.INSTANCE, KernelBackends.get("java"));
        assertSame(JavaKernels.INSTANCE, KernelBackends.get(" CPU "));
        KernelBackends.Choice auto = KernelBackends.choose("auto");
        assertTrue(auto.automatic());
        assertEquals(KernelBackends.available().getFirst(), auto.backend().name());
        assertEquals(KernelBackends.NAMES.size() - 1, auto.skipped().size(), auto.skipped().toString());
        assertTrue(auto.describe().startsWith("backend " + auto.backend().name() + " (auto"), auto.describe());
        assertTrue(auto.describe().contains("cuda: "), auto.describe());
    }

    @Test
    void anUnknownOrUnavailableNameIsAUserErrorListingTheNames() {
        UserError e = assertThrows(UserError.class, () -> KernelBackends.get("tpu"));
        assertTrue(e.getMessage().contains("unknown backend 'tpu'") && e.getMessage().contains("auto, cuda, hip, metal, opencl, cpu")
                && e.getMessage().contains("available here: "), e.getMessage());
        if (!KernelBackends.status("hip").available()) {
            UserError hip = assertThrows(UserError.class, () -> KernelBackends.get("hip"));
            assertTrue(hip.getMessage().startsWith("backend hip is not available: HIP: ") && hip.getMessage().contains("cpu"),
                    hip.getMessage());
        }
        if (!KernelBackends.status("cuda").available()) {
            UserError cuda = assertThrows(UserError.class, () -> KernelBackends.get("cuda"));
            assertTrue(cuda.getMessage().startsWith("backend cuda is not available: CUDA: "), cuda.getMessage());
        }
    }
}
