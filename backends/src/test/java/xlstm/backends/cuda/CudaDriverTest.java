package xlstm.backends.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The CUDA driver on a GPU. Without one (CI) every test is skipped with the probe's reason; with
 * {@code XLSTM_REQUIRE_CUDA=1} that is a failure instead.
 */
class CudaDriverTest {
    @BeforeEach
    void needCuda() {
        Cuda.Probe p = Cuda.probe();
        if (!p.available()) {
            if ("1".equals(System.getenv("XLSTM_REQUIRE_CUDA"))) fail("XLSTM_REQUIRE_CUDA=1 but " + p.problem());
            Assumptions.abort("CUDA unavailable, driver tests skipped: " + p.problem());
        }
    }

    @Test
    void runsAKernelWithSyncAndAsyncCopiesAndHeapSegments() {
        CudaContext ctx = Cuda.context();
        CuFunction f = ctx.function(ctx.module("saxpy.cu", Cuda.SAXPY), "saxpy");
        int n = 1000;
        try (Arena arena = Arena.ofConfined(); CuBuffer x = ctx.buffer(4L * n); CuBuffer y = ctx.buffer(4L * n)) {
            MemorySegment hx = arena.allocate(4L * n);
            float[] hy = new float[n];
            for (int i = 0; i < n; i++) {
                hx.setAtIndex(ValueLayout.JAVA_FLOAT, i, i);
                hy[i] = 1;
            }
            ctx.write(x, hx);
            ctx.write(y, MemorySegment.ofArray(hy)); // a heap segment goes through a native copy
            ctx.launch(f, (n + 127) / 128, 128, new KernelArgs().i32(n).f32(2f).ptr(x.pointer()).ptr(y.pointer()));
            ctx.synchronize("saxpy");
            float[] out = new float[n];
            ctx.read(y, MemorySegment.ofArray(out));
            for (int i = 0; i < n; i++) assertEquals(2f * i + 1, out[i], "y[" + i + "]");
            MemorySegment back = arena.allocate(4L * n);
            ctx.readAsync(y, back);
            ctx.synchronize("readAsync");
            assertEquals(2f * 999 + 1, back.getAtIndex(ValueLayout.JAVA_FLOAT, 999));
            assertThrows(IllegalArgumentException.class, () -> ctx.read(x, arena.allocate(4L * n + 4)));
            assertThrows(IllegalArgumentException.class, () -> ctx.launch(f, 1, f.maxThreadsPerBlock() + 1, new KernelArgs()));
        }
    }

    @Test
    void cachesModulesBySourceHash() {
        CudaContext ctx = Cuda.context();
        CuModule a = ctx.module("saxpy.cu", Cuda.SAXPY);
        assertSame(a, ctx.module("again.cu", Cuda.SAXPY));
        CuModule b = ctx.module("saxpy.cu", Cuda.SAXPY, "-lineinfo");
        assertNotSame(a, b);
        assertTrue(!a.hash().equals(b.hash()));
        assertTrue(a.target().startsWith("compute_") || a.target().startsWith("sm_"), a.target());
    }

    @Test
    void aCompileErrorCarriesTheNvrtcLog() {
        CudaException e = assertThrows(CudaException.class, () -> Cuda.context().module("broken.cu",
                "extern \"C\" __global__ void broken(float* x) { x[0] = undeclared_name; }"));
        assertTrue(e.getMessage().startsWith("CUDA: NVRTC could not compile broken.cu (NVRTC_ERROR_COMPILATION"),
                e.getMessage());
        assertTrue(e.getMessage().contains("undeclared_name"), "the log names the error:\n" + e.getMessage());
    }

    @Test
    void anUnknownKernelNameIsNamed() {
        CudaContext ctx = Cuda.context();
        CudaException e = assertThrows(CudaException.class, () -> ctx.function(ctx.module("saxpy.cu", Cuda.SAXPY), "nope"));
        assertTrue(e.getMessage().contains("cuModuleGetFunction(nope)") && e.getMessage().contains("CUDA_ERROR_NOT_FOUND"),
                e.getMessage());
    }

    @Test
    void selfTestAndEventsTime() {
        String line = Cuda.selfTest();
        assertTrue(line.startsWith("selftest passed"), line);
        CudaContext ctx = Cuda.context();
        try (CuEvent a = ctx.event(); CuEvent b = ctx.event()) {
            a.record();
            b.record();
            assertTrue(b.millisSince(a) >= 0);
        }
        long[] mem = ctx.memoryInfo();
        assertTrue(mem[0] > 0 && mem[1] >= mem[0], mem[0] + " free of " + mem[1]);
        assertEquals("CUDA_ERROR_OUT_OF_MEMORY", CudaDriver.get().errorName(2));
    }
}
