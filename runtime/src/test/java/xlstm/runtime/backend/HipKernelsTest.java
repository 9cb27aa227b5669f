package xlstm.runtime.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xlstm.backends.cuda.KernelArgs;
import xlstm.backends.hip.HipException;
import xlstm.backends.hip.Hiprtc;

/**
 * The {@code hip} backend without an AMD GPU: the index, the launch arguments and geometry of a call, the
 * unavailable path, and every generated HIP kernel compiled by hiprtc for gfx90a (no device needed). The run
 * against the Java kernels needs an AMD GPU and is skipped without one (so it has never run).
 */
class HipKernelsTest {
    static MemorySegment floats(long n) {
        return MemorySegment.ofArray(new float[(int) n]);
    }

    @Test
    void theIndexListsEveryEntryPointOfTheBackend() {
        KernelIndex i = HipKernels.index();
        assertTrue(i != null && i.size() >= 22, String.valueOf(i));
        for (KernelIndex.Entry e : i.entries()) assertTrue(e.file().equals(e.entry() + ".hip"), e.toString());
    }

    @Test
    void marshalsIntsFloatsBooleansAndDevicePointersInOrderThenScratch() {
        KernelIndex.Entry e = HipKernels.index().get("mlstm_sig_step");
        int B = 2, NH = 3, DQK = 4, DV = 5;
        Object[] args = {B, NH, DQK, DV, floats(B * NH * DQK), floats(B * NH * DQK), floats(B * NH * DV),
                floats(B * NH), floats(B * NH), floats(B * NH * DQK * DV), floats(B * NH * DQK), floats(B * NH * DV),
                1e-6f, true};
        LaunchPlan plan = LaunchPlan.of(e, args);
        long[] pointers = new long[args.length];
        for (int a = 4; a < 12; a++) pointers[a] = 0x1000L * a;
        KernelArgs ka = HipKernels.kernelArgs(plan, args, pointers, 0xABCD00L);
        List<KernelArgs.Arg> want = new ArrayList<>(List.of(new KernelArgs.I32(B), new KernelArgs.I32(NH),
                new KernelArgs.I32(DQK), new KernelArgs.I32(DV)));
        for (int a = 4; a < 12; a++) want.add(new KernelArgs.Ptr(0x1000L * a));
        want.add(new KernelArgs.F32(1e-6f));
        want.add(new KernelArgs.I32(1));
        want.add(new KernelArgs.Ptr(0xABCD00L));
        assertEquals(want, ka.args());
        assertEquals(e.params().size(), ka.size());
        // items over B*NH: ceil(6 / 256) blocks of 256, capped by the kernel's limit
        assertEquals(new LaunchPlan.Geometry(1, 256), plan.geometry(HipKernels.DEFAULT_BLOCK, HipKernels.GROUP_BLOCK, 1024));
        assertEquals(new LaunchPlan.Geometry(6, 1), plan.geometry(HipKernels.DEFAULT_BLOCK, HipKernels.GROUP_BLOCK, 1));
        assertEquals(B * NH * (DQK + DV), plan.scratchFloats());
        // states and outputs are copied back, inputs not
        assertTrue(plan.written(9) && plan.written(10) && plan.written(11) && !plan.written(4));
    }

    @Test
    void aFalseBooleanIsZeroAndAGroupLaunchIsOneBlock() {
        KernelIndex.Entry e = HipKernels.index().get("slstm_step");
        assertEquals("group", e.launch());
        int B = 1, NH = 2, DH = 3;
        Object[] args = new Object[3 + 17];
        args[0] = B;
        args[1] = NH;
        args[2] = DH;
        for (int a = 3; a < args.length; a++) args[a] = floats(B * NH * DH * DH);
        LaunchPlan plan = LaunchPlan.of(e, args);
        assertEquals(new LaunchPlan.Geometry(1, 1024), plan.geometry(HipKernels.DEFAULT_BLOCK, HipKernels.GROUP_BLOCK, 1024));
        KernelArgs ka = HipKernels.kernelArgs(plan, args, new long[args.length], 7);
        assertEquals(new KernelArgs.Ptr(7), ka.args().getLast());
        KernelIndex.Entry sig = HipKernels.index().get("mlstm_sig_parallel");
        Object[] p = {1, 1, 2, 4, 4, floats(8), floats(8), floats(8), floats(2), floats(2), floats(8), 1e-6f, false};
        assertEquals(new KernelArgs.I32(0), HipKernels.kernelArgs(LaunchPlan.of(sig, p), p, new long[p.length], 0).args().get(12));
        assertThrows(IllegalStateException.class, () -> LaunchPlan.of(sig, 1, 2));
    }

    @Test
    void withoutAnAmdGpuTheBackendSaysWhy() {
        KernelBackends.Status s = KernelBackends.status("hip");
        Assumptions.assumeFalse(s.available(), "an AMD GPU is present");
        assertTrue(s.device().reason().startsWith("HIP: "), s.device().reason());
        assertTrue(HipKernels.unavailableReason().startsWith("HIP: "), HipKernels.unavailableReason());
        IllegalStateException e = assertThrows(IllegalStateException.class, HipKernels::get);
        assertEquals(HipKernels.unavailableReason(), e.getMessage());
    }

    /**
     * In a child JVM ({@code Hiprtc.main}): PoCL's LLVM, loaded by the OpenCL tests of this module, and comgr's abort a
     * process that has both.
     */
    @Test
    void everyGeneratedHipKernelCompilesWithHiprtcForGfx90a(@TempDir Path dir) throws IOException, InterruptedException {
        try {
            Hiprtc.get();
        } catch (HipException e) {
            Assumptions.abort("no hiprtc here: " + e.getMessage());
        }
        KernelIndex index = HipKernels.index();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Hiprtc.class.getName(), "--offload-arch=gfx90a"));
        for (KernelIndex.Entry e : index.entries()) {
            cmd.add(Files.writeString(dir.resolve(e.file()), index.source(e)).toString());
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(600, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        assertEquals(index.size(), out.lines().filter(l -> l.startsWith("ok ")).count(), out);
    }

    /** Needs an AMD GPU: never run in this project (skipped with the reason). */
    @Test
    void everyKernelMatchesJavaOnAnAmdGpu() {
        KernelBackends.Status s = KernelBackends.status("hip");
        Assumptions.assumeTrue(s.available(), () -> "HIP backend unavailable: " + s.device().reason());
        List<KernelCheck.Result> rs = KernelCheck.compare(JavaKernels.INSTANCE, KernelBackends.get("hip"));
        String failed = rs.stream().filter(r -> !r.passed()).map(KernelCheck.Result::line).collect(Collectors.joining("\n"));
        assertTrue(failed.isEmpty(), failed);
    }
}
