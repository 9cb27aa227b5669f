package xlstm.backends.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CUDA binding without a GPU (what CI has): the failure paths are one clear line, and the launch arguments are
 * laid out as {@code cuLaunchKernel} reads them. {@link CudaDriverTest} covers the rest on a GPU.
 */
class CudaBindingTest {
    /** Runs {@code java [props] xlstm.backends.cuda.Cuda [args]} in a child JVM: {exit code, output}. */
    static Object[] child(List<String> props, String... args) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = new ArrayList<>(List.of(java.toString(), "--enable-native-access=ALL-UNNAMED"));
        cmd.addAll(props);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Cuda.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM finished");
        return new Object[] {p.exitValue(), out.strip()};
    }

    static void oneLine(String out) {
        assertTrue(out.lines().count() == 1, "one line, no stack trace: " + out);
    }

    /** A JVM without libcuda (here: a library name that does not exist) gets one clear line and exit 1. */
    @Test
    void aMissingDriverLibraryIsOneClearLine() throws Exception {
        Object[] r = child(List.of("-D" + CudaLibraries.LIBCUDA_PROPERTY + "=libNoSuchCuda.so.9"));
        String out = (String) r[1];
        assertEquals(1, r[0], out);
        oneLine(out);
        assertTrue(out.startsWith("CUDA: libNoSuchCuda.so.9 not found (the NVIDIA driver is not installed"), out);
    }

    @Test
    void aMissingNvrtcIsOneClearLine() throws Exception {
        Object[] r = child(List.of("-D" + CudaLibraries.NVRTC_PROPERTY + "=libNoSuchNvrtc.so.9"), "--nvrtc");
        String out = (String) r[1];
        assertEquals(1, r[0], out);
        oneLine(out);
        assertTrue(out.startsWith("CUDA: libNoSuchNvrtc.so.9 not found (NVRTC compiles the generated kernels"), out);
    }

    /** A file that is not a library names the file and the loader's complaint. */
    @Test
    void aBrokenLibraryIsOneClearLine(@TempDir Path dir) throws Exception {
        Path fake = Files.writeString(dir.resolve("libcuda.so.1"), "not an ELF file");
        Object[] r = child(List.of("-D" + CudaLibraries.LIBCUDA_PROPERTY + "=" + fake));
        String out = (String) r[1];
        assertEquals(1, r[0], out);
        oneLine(out);
        assertEquals("CUDA: " + fake + " would not load (" + fake + ": not an ELF shared library)", out);
    }

    @Test
    void theSearchNamesWhatItLookedFor(@TempDir Path dir) {
        CudaException e = assertThrows(CudaException.class,
                () -> CudaLibraries.open(List.of("libNoSuch.so.3", "libNoSuch.so"), List.of(dir), "a hint"));
        assertEquals("CUDA: libNoSuch.so.3 not found (a hint; looked on the dynamic linker's path and in 1 CUDA folders"
                + " such as " + dir + ")", e.getMessage());
        for (Path d : CudaLibraries.searchDirs()) assertTrue(Files.isDirectory(d), d.toString());
    }

    /** In this JVM: either CUDA works, or the probe says why in one line; it never throws. */
    @Test
    void theProbeNeverThrowsAndExplainsItself() {
        Cuda.Probe p = Cuda.probe();
        if (p.available()) {
            assertTrue(!p.devices().isEmpty() && p.driver() != null && p.nvrtc() != null, p.toString());
        } else {
            assertTrue(p.problem().startsWith("CUDA: ") && p.problem().lines().count() == 1, p.problem());
            CudaException e = assertThrows(CudaException.class, Cuda::device);
            assertEquals(p.problem(), e.getMessage());
        }
    }

    @Test
    void kernelArgumentsAreATableOfPointersToTheValues() {
        KernelArgs args = new KernelArgs().i32(7).f32(1.5f).ptr(0x7f00_1234_5600L).i32(-1).ptr(0);
        assertEquals(5, args.size());
        try (Arena a = Arena.ofConfined()) {
            MemorySegment table = args.pack(a);
            assertEquals(5 * ValueLayout.ADDRESS.byteSize(), table.byteSize());
            MemorySegment[] slot = new MemorySegment[5];
            for (int i = 0; i < 5; i++) {
                slot[i] = table.getAtIndex(ValueLayout.ADDRESS, i).reinterpret(8);
                assertTrue(slot[i].address() % 4 == 0, "aligned");
            }
            assertEquals(7, slot[0].get(ValueLayout.JAVA_INT, 0));
            assertEquals(1.5f, slot[1].get(ValueLayout.JAVA_FLOAT, 0));
            assertEquals(0x7f00_1234_5600L, slot[2].get(ValueLayout.JAVA_LONG, 0));
            assertTrue(slot[2].address() % 8 == 0, "a device pointer is 8-byte aligned");
            assertEquals(-1, slot[3].get(ValueLayout.JAVA_INT, 0));
            assertEquals(0L, slot[4].get(ValueLayout.JAVA_LONG, 0));
            for (int i = 1; i < 5; i++) assertTrue(slot[i].address() != slot[i - 1].address(), "distinct slots");
        }
        assertEquals(List.of(new KernelArgs.I32(7), new KernelArgs.F32(1.5f)),
                new KernelArgs().i32(7).f32(1.5f).args());
        try (Arena a = Arena.ofConfined()) {
            assertTrue(new KernelArgs().pack(a).byteSize() >= ValueLayout.ADDRESS.byteSize(), "never a zero-size table");
        }
    }

    @Test
    void moduleCacheKeysDependOnSourceAndOptions() {
        String a = CudaContext.sha256("--gpu-architecture=compute_90\u0000src");
        assertEquals(64, a.length());
        assertEquals(a, CudaContext.sha256("--gpu-architecture=compute_90\u0000src"));
        assertTrue(!a.equals(CudaContext.sha256("--gpu-architecture=compute_80\u0000src")));
        assertTrue(!a.equals(CudaContext.sha256("--gpu-architecture=compute_90\u0000src ")));
    }

    @Test
    void devicesDescribeThemselves() {
        Cuda.Device d = new Cuda.Device(0, 0, "NVIDIA H200", 9, 0, 132, 150_000_000_000L, 1024, Integer.MAX_VALUE);
        assertEquals(90, d.computeCapability());
        assertEquals("NVIDIA H200 (sm_90, 132 SMs, 139.7 GiB)", d.summary());
        Cuda.Probe p = new Cuda.Probe(List.of(d), "13.0", "13.0", null);
        assertEquals("0: NVIDIA H200 (sm_90, 132 SMs, 139.7 GiB); CUDA driver 13.0, NVRTC 13.0", p.summary());
        assertEquals("", new Cuda.Probe(List.of(), null, null, "CUDA: x").summary());
    }
}
