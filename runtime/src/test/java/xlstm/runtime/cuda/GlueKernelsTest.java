package xlstm.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The device-resident model's plumbing kernels without a GPU: the source compiles for sm_90 with nvcc (what NVRTC
 * does on the device) and defines every entry {@link GlueKernels} launches; the block sizes of its reductions.
 */
class GlueKernelsTest {
    @Test
    void theSourceCompilesForSm90AndDefinesEveryEntry(@TempDir Path tmp) throws Exception {
        Path nvcc = nvcc();
        if (nvcc == null && "1".equals(System.getenv("XLSTM_REQUIRE_TOOLCHAINS"))) fail("XLSTM_REQUIRE_TOOLCHAINS=1 but no nvcc");
        assumeTrue(nvcc != null, "nvcc is not installed");
        Path cu = tmp.resolve("large_glue.cu"), ptx = tmp.resolve("large_glue.ptx");
        Files.writeString(cu, GlueKernels.source());
        Process p = new ProcessBuilder(nvcc.toString(), "-arch=sm_90", "-ptx", cu.toString(), "-o", ptx.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "nvcc finished");
        assertEquals(0, p.exitValue(), log);
        String text = Files.readString(ptx);
        for (String e : GlueKernels.ENTRIES) assertTrue(text.contains(".entry " + e + "("), e + " in the PTX");
    }

    @Test
    void reductionsUseAboutFourFeaturesAThreadInWholeWarps() {
        assertEquals(1024, GlueKernels.reduceBlock(4096));
        assertEquals(1024, GlueKernels.reduceBlock(1 << 20), "at most 1024 threads");
        assertEquals(128, GlueKernels.reduceBlock(512));
        assertEquals(32, GlueKernels.reduceBlock(8), "at least a warp");
        assertEquals(64, GlueKernels.reduceBlock(200), "50 threads, rounded up to whole warps");
    }

    /** nvcc on PATH, or in CUDA_HOME or /usr/local/cuda. */
    static Path nvcc() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path c = Path.of(dir.isEmpty() ? "." : dir, "nvcc");
            if (Files.isExecutable(c)) return c;
        }
        for (String home : new String[] {System.getenv("CUDA_HOME"), "/usr/local/cuda"}) {
            if (home != null && Files.isExecutable(Path.of(home, "bin", "nvcc"))) return Path.of(home, "bin", "nvcc");
        }
        return null;
    }
}
