package xlstm.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import xlstm.backends.cuda.CudaLibraries;

/**
 * The build-time cubins of the hand-written CUDA sources (no GPU needed): the build put one on the class path for the
 * exact text each loader compiles with its flags at their defaults, for sm_90; a changed text finds none.
 */
class PrebuiltModulesTest {
    private static final int EM_CUDA = 190;

    @Test
    void everyDefaultSourceHasItsSm90Cubin() throws IOException {
        boolean nvcc = CudaLibraries.nvcc() != null;
        if (!nvcc && "1".equals(System.getenv("XLSTM_REQUIRE_TOOLCHAINS"))) fail("XLSTM_REQUIRE_TOOLCHAINS=1 but no nvcc");
        assumeTrue(nvcc, "nvcc is not installed, so the build made no cubins");
        Map<String, String> sources = PrebuiltModules.defaultSources();
        for (Map.Entry<String, String> e : sources.entrySet()) {
            String resource = PrebuiltModules.resourceOf(e.getKey(), e.getValue());
            byte[] image = read(resource);
            assertNotNull(image, e.getKey() + ": no build-time cubin " + resource + " for the text its loader compiles");
            ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
            assertTrue(image.length > 64 && b.getInt(0) == 0x464c457f, e.getKey() + ": not an ELF image");
            assertEquals(2, image[4], e.getKey() + ": not a 64-bit ELF image");
            assertEquals(EM_CUDA, b.getShort(18), e.getKey() + ": not CUDA machine code");
            int flags = b.getInt(48);
            assertTrue((flags & 0xff) == 90 || ((flags >> 8) & 0xff) == 90,
                    e.getKey() + ": built for another architecture than sm_90 (ELF flags 0x" + Integer.toHexString(flags) + ")");
        }
    }

    @Test
    void everyHandWrittenSourceIsBuilt() throws Exception {
        Path dir = Path.of(PrebuiltModulesTest.class.getClassLoader().getResource("xlstm/runtime/cuda/prelude.cu").toURI()).getParent();
        java.util.Set<String> sources;
        try (var files = Files.list(dir)) {
            sources = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".cu") && !n.equals("prelude.cu"))
                    .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
        }
        assertEquals(sources, new java.util.TreeSet<>(PrebuiltModules.defaultSources().keySet()),
                "every hand-written CUDA source of the package gets its build-time cubin (PrebuiltModules.defaultSources)");
    }

    @Test
    void anotherTextFindsNoCubin() {
        String text = PrebuiltModules.defaultSources().get("gemv_bf16.cu");
        String changed = "#define XL_GEMV_LOADS 4\n" + text;
        assertNotEquals(PrebuiltModules.resourceOf("gemv_bf16.cu", text), PrebuiltModules.resourceOf("gemv_bf16.cu", changed));
        assertNull(read(PrebuiltModules.resourceOf("gemv_bf16.cu", changed)));
    }

    @Test
    void theBuildStepChecksItsMode(@TempDir Path out) throws Exception {
        PrebuiltModules.main(new String[] {out.toString(), "false"});
        assertTrue(Files.notExists(out.resolve(PrebuiltModules.DIR)), "xlstm.ptx=false builds nothing");
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> PrebuiltModules.main(new String[] {out.toString(), "sometimes"}));
        assertEquals("xlstm.ptx must be auto, true or false, not 'sometimes'", bad.getMessage());
    }

    private static byte[] read(String resource) {
        try (InputStream in = PrebuiltModulesTest.class.getClassLoader().getResourceAsStream(resource)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
