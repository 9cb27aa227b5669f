package xlstm.backends.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The OpenCL driver on whatever OpenCL the machine has (PoCL in CI). Without OpenCL these tests are skipped with
 * the probe's reason, and fail instead when {@code XLSTM_REQUIRE_TOOLCHAINS=1}.
 */
class OpenClDriverTest {
    static final String SAXPY = """
            __kernel void saxpy(const int n, const float a, __global const float* x, __global float* y,
                                __local float* scratch) {
              int i = get_global_id(0);
              scratch[get_local_id(0)] = x[i < n ? i : 0];
              if (i < n) y[i] = a * scratch[get_local_id(0)] + y[i];
            }
            """;

    @BeforeAll
    static void needOpenCl() {
        OpenCl.Probe p = OpenCl.probe();
        if (!p.available()) {
            if ("1".equals(System.getenv("XLSTM_REQUIRE_TOOLCHAINS"))) {
                fail("XLSTM_REQUIRE_TOOLCHAINS=1 but OpenCL is unavailable: " + p.problem());
            }
            Assumptions.abort("OpenCL unavailable, driver tests skipped: " + p.problem());
        }
    }

    @Test
    void discoversAtLeastOneDeviceWithItsProperties() {
        OpenCl.Device d = OpenCl.device();
        assertTrue(!d.name().isBlank() && d.computeUnits() > 0 && d.globalMemBytes() > 0, d.toString());
        assertTrue(d.openclCVersion().startsWith("OpenCL C "), d.openclCVersion());
        assertTrue(d.summary().contains(d.name()), d.summary());
    }

    @Test
    void runsAKernelWithBuffersScalarsAndLocalScratch() {
        ClContext ctx = OpenCl.context();
        int n = 1000;
        try (Arena arena = Arena.ofConfined(); ClBuffer x = ctx.buffer(4L * n); ClBuffer y = ctx.buffer(4L * n)) {
            MemorySegment hx = arena.allocate(4L * n), hy = arena.allocate(4L * n);
            for (int i = 0; i < n; i++) {
                hx.setAtIndex(ValueLayout.JAVA_FLOAT, i, i);
                hy.setAtIndex(ValueLayout.JAVA_FLOAT, i, 1);
            }
            ctx.write(x, hx);
            ctx.write(y, hy);
            ClKernel k = ctx.program("saxpy", SAXPY, "-cl-std=CL1.2").kernel("saxpy");
            k.arg(0, n).arg(1, 2f).arg(2, x).arg(3, y).argLocal(4, 4L * 8);
            ctx.launch(k, new long[] {1000}, new long[] {8});
            ctx.finish();
            MemorySegment out = arena.allocate(4L * n);
            ctx.read(y, out);
            for (int i = 0; i < n; i++) assertEquals(2f * i + 1, out.getAtIndex(ValueLayout.JAVA_FLOAT, i), "y[" + i + "]");
            // a heap segment goes through a native copy
            float[] heap = new float[n];
            ctx.read(y, MemorySegment.ofArray(heap));
            assertEquals(2f * 999 + 1, heap[999]);
        }
    }

    @Test
    void cachesProgramsBySourceHash() {
        ClContext ctx = OpenCl.context();
        ClProgram a = ctx.program("saxpy", SAXPY, "-cl-std=CL1.2");
        ClProgram b = ctx.program("again", SAXPY, "-cl-std=CL1.2");
        assertSame(a, b);
        ClProgram c = ctx.program("other options", SAXPY, "-cl-std=CL1.2 -cl-mad-enable");
        assertTrue(a != c && !a.hash().equals(c.hash()));
    }

    @Test
    void aBuildErrorCarriesTheBuildLog() {
        OpenClException e = assertThrows(OpenClException.class, () -> OpenCl.context().program("broken.cl",
                "__kernel void broken(__global float* x) { x[0] = undeclared_name; }", "-cl-std=CL1.2"));
        assertTrue(e.getMessage().contains("building broken.cl failed (CL_BUILD_PROGRAM_FAILURE"), e.getMessage());
        assertTrue(e.getMessage().contains("undeclared_name"), "the build log names the error:\n" + e.getMessage());
    }

    @Test
    void anUnknownKernelNameIsNamed() {
        OpenClException e = assertThrows(OpenClException.class,
                () -> OpenCl.context().program("saxpy", SAXPY, "-cl-std=CL1.2").kernel("nope"));
        assertTrue(e.getMessage().contains("nope") && e.getMessage().contains("CL_INVALID_KERNEL_NAME"), e.getMessage());
    }

    @Test
    void fp16IsNeverAssumed() {
        OpenCl.Device d = OpenCl.device();
        String src = "#pragma OPENCL EXTENSION cl_khr_fp16 : enable\n__kernel void h(__global half* x) { }";
        if (!d.has("cl_khr_fp16")) {
            OpenClException e = assertThrows(OpenClException.class, () -> OpenCl.context().program("half.cl", src, ""));
            assertTrue(e.getMessage().contains("needs cl_khr_fp16"), e.getMessage());
        }
    }

    /** A JVM without a usable ICD loader gets one clear line, not a stack trace. */
    @Test
    void aMissingLibraryIsReportedClearly() throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "--enable-native-access=ALL-UNNAMED",
                "-Dorg.lwjgl.opencl.libname=libNoSuchOpenCL.so.9", "-cp", System.getProperty("java.class.path"),
                OpenCl.class.getName()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(1, p.exitValue(), out);
        assertTrue(out.strip().lines().toList().equals(List.of(out.strip())), "one line: " + out);
        assertTrue(out.contains("OpenCL: no ICD loader: libNoSuchOpenCL.so.9 not found"), out);
    }
}
