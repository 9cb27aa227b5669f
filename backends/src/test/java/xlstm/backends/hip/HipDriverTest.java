package xlstm.backends.hip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import xlstm.backends.NativeLibs;
import xlstm.backends.cuda.KernelArgs;

/**
 * The HIP binding where there is no AMD GPU (this project's machines and CI): a missing runtime library, the
 * "no device" answer of an installed one (Debian's HIP 5.2), and hiprtc compiling without a device. The kernel run
 * at the end needs an AMD GPU and is skipped without one (so it has never run).
 */
class HipDriverTest {
    static final String SAXPY = """
            #include <hip/hip_runtime.h>
            extern "C" __global__ void saxpy(int n, float a, const float* __restrict__ x, float* y) {
                int i = blockIdx.x * blockDim.x + threadIdx.x;
                if (i < n) y[i] = a * x[i] + y[i];
            }
            """;

    static boolean runtimeInstalled() {
        return HipLibraries.AMDHIP.stream().anyMatch(NativeLibs::canLoad);
    }

    @Test
    void aMissingRuntimeLibraryIsOneClearLine() {
        String before = System.getProperty(HipLibraries.LIBRARY_PROPERTY);
        System.setProperty(HipLibraries.LIBRARY_PROPERTY, "libxlstm-no-such-hip.so");
        try {
            Hip.Probe p = Hip.discover(() -> {
                Object o = HipDriver.loadOrError();
                if (o instanceof HipException e) throw e;
                return (HipDriver) o;
            });
            assertTrue(!p.available() && p.devices().isEmpty());
            assertTrue(p.problem().startsWith("HIP: no AMD GPU/runtime: libxlstm-no-such-hip.so not found ("), p.problem());
        } finally {
            if (before == null) System.clearProperty(HipLibraries.LIBRARY_PROPERTY);
            else System.setProperty(HipLibraries.LIBRARY_PROPERTY, before);
        }
    }

    @Test
    void theCommandLineSaysWhyInAChildJvmAndExits1() throws IOException, InterruptedException {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-Dxlstm.hip.library=/no/such/dir/libamdhip64.so",
                "-cp", System.getProperty("java.class.path"), Hip.class.getName()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(1, p.exitValue(), out);
        assertTrue(out.contains("HIP: no AMD GPU/runtime: /no/such/dir/libamdhip64.so not found"), out);
    }

    @Test
    void theInstalledRuntimeWithoutAnAmdGpuSaysNoDevice() {
        Hip.Probe p = Hip.probe();
        if (!runtimeInstalled()) {
            assertTrue(p.problem().startsWith("HIP: no AMD GPU/runtime: libamdhip64.so not found"), p.problem());
            return;
        }
        Assumptions.assumeFalse(p.available() || !p.devices().isEmpty(), "an AMD GPU is present: " + p.summary());
        assertTrue(p.problem().startsWith("HIP: no device"), p.problem());
        assertTrue(p.runtime() != null && p.runtime().matches("\\d+\\.\\d+\\.\\d+"), String.valueOf(p.runtime()));
        HipException e = assertThrows(HipException.class, Hip::device);
        assertEquals(p.problem(), e.getMessage());
        // the driver's error text, through hipGetErrorName/String
        assertTrue(HipDriver.get().describe(HipDriver.HIP_ERROR_NO_DEVICE).startsWith("hipErrorNoDevice (100)"),
                HipDriver.get().describe(HipDriver.HIP_ERROR_NO_DEVICE));
    }

    /** Runs {@code main} of {@code cls} in a child JVM with this test's class path: {exit code, output}. */
    static Object[] child(Class<?> cls, String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), cls.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), out);
        return new Object[] {p.exitValue(), out};
    }

    /**
     * hiprtc in a child JVM: the tests of this module load PoCL's LLVM, and comgr's in the same process aborts it
     * (see {@link Hiprtc#main}).
     */
    @Test
    void hiprtcCompilesForAGivenArchitectureWithoutADeviceAndReportsErrorsWithTheLog(@org.junit.jupiter.api.io.TempDir Path dir)
            throws IOException, InterruptedException {
        try {
            Hiprtc.get();
        } catch (HipException e) {
            Assumptions.abort("no hiprtc: " + e.getMessage());
        }
        Path ok = java.nio.file.Files.writeString(dir.resolve("saxpy.hip"), SAXPY);
        Object[] r = child(Hiprtc.class, "--offload-arch=gfx90a", ok.toString());
        assertEquals(0, r[0], (String) r[1]);
        assertTrue(((String) r[1]).matches("(?s).*ok saxpy\\.hip \\(\\d{3,} bytes\\).*"), (String) r[1]);
        Path bad = java.nio.file.Files.writeString(dir.resolve("broken.hip"),
                "extern \"C\" __global__ void broken(float* x) { x[0] = undeclared_name; }");
        r = child(Hiprtc.class, "--offload-arch=gfx90a", bad.toString());
        assertEquals(1, r[0], (String) r[1]);
        assertTrue(((String) r[1]).contains("HIP: hiprtc could not compile broken.hip (HIPRTC_ERROR_COMPILATION"), (String) r[1]);
        assertTrue(((String) r[1]).contains("undeclared_name"), (String) r[1]);
    }

    @Test
    void theModuleCacheKeyCoversOptionsAndSource() {
        String a = HipContext.cacheKey(List.of(), SAXPY);
        assertEquals(a, HipContext.cacheKey(List.of(), SAXPY));
        assertNotEquals(a, HipContext.cacheKey(List.of("--offload-arch=gfx90a"), SAXPY));
        assertNotEquals(a, HipContext.cacheKey(List.of(), SAXPY + " "));
        assertEquals("1.2.3", Hip.version(10_000_000 + 2 * 100_000 + 3));
    }

    /** Needs an AMD GPU: never run in this project (skipped with the probe's reason). */
    @Test
    void runsAKernelOnAnAmdGpu() {
        Hip.Probe p = Hip.probe();
        Assumptions.assumeTrue(p.available(), () -> "no AMD GPU, HIP kernel run skipped: " + p.problem());
        HipContext ctx = Hip.context();
        HipFunction f = ctx.function(ctx.module("saxpy.hip", SAXPY), "saxpy");
        int n = 1000;
        try (Arena arena = Arena.ofConfined(); HipBuffer x = ctx.buffer(4L * n); HipBuffer y = ctx.buffer(4L * n);
                HipEvent start = ctx.event(); HipEvent end = ctx.event()) {
            MemorySegment hx = arena.allocate(4L * n);
            float[] hy = new float[n];
            for (int i = 0; i < n; i++) {
                hx.setAtIndex(ValueLayout.JAVA_FLOAT, i, i);
                hy[i] = 1;
            }
            ctx.write(x, hx);
            ctx.write(y, MemorySegment.ofArray(hy));
            start.record();
            ctx.launch(f, (n + 127) / 128, 128, new KernelArgs().i32(n).f32(2f).ptr(x.pointer()).ptr(y.pointer()));
            end.record();
            assertTrue(end.millisSince(start) >= 0);
            ctx.synchronize("saxpy");
            float[] out = new float[n];
            ctx.read(y, MemorySegment.ofArray(out));
            for (int i = 0; i < n; i++) assertEquals(2f * i + 1, out[i], "y[" + i + "]");
        }
    }
}
