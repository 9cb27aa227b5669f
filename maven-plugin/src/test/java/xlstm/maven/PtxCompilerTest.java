package xlstm.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Build-time PTX and cubins: nvcc on every generated CUDA source, part of the generated set. Needs nvcc (CI has it). */
class PtxCompilerTest {
    @TempDir Path dir;

    private static Path nvcc() {
        Path nvcc = PtxCompiler.findNvcc();
        if (nvcc == null && "1".equals(System.getenv("XLSTM_REQUIRE_TOOLCHAINS"))) fail("XLSTM_REQUIRE_TOOLCHAINS=1 but no nvcc");
        assumeTrue(nvcc != null, "no nvcc on the PATH, under $CUDA_HOME/bin or /usr/local/cuda/bin");
        return nvcc;
    }

    @Test
    void everyCudaSourceGetsItsPtxAndCubinAndAnUnchangedBuildKeepsThem() throws Exception {
        Path nvcc = nvcc();
        Path src = dir.resolve("src/cells/decay.xl");
        Files.createDirectories(src.getParent());
        Files.writeString(src, GeneratorTest.DECAY);
        Generator.Config c = new Generator.Config(dir.resolve("src"), dir.resolve("java"), dir.resolve("res"),
                Generator.resolveTargets(List.of("cuda")), null, null, new PtxCompiler(nvcc, "sm_90"));
        List<String> log = new ArrayList<>();
        Generator.Result first = new Generator(c, dir.resolve("state"), log::add).run(false);
        List<Path> cu, ptx, cubin;
        try (Stream<Path> s = Files.walk(dir.resolve("res"))) {
            List<Path> all = s.filter(Files::isRegularFile).toList();
            cu = all.stream().filter(p -> p.toString().endsWith(".cu")).toList();
            ptx = all.stream().filter(p -> p.toString().endsWith(".ptx")).toList();
            cubin = all.stream().filter(p -> p.toString().endsWith(".cubin")).toList();
        }
        assertTrue(!cu.isEmpty(), "CUDA sources were generated");
        assertEquals(cu.size(), ptx.size(), "one PTX per CUDA source");
        assertEquals(cu.size(), cubin.size(), "one cubin per CUDA source");
        for (Path p : cu) {
            String text = Files.readString(PtxCompiler.ptxOf(p));
            assertTrue(text.contains(".target sm_90"), p + ": PTX for sm_90");
            assertTrue(text.contains(".entry"), p + ": PTX with its kernels");
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(Files.readAllBytes(PtxCompiler.cubinOf(p)))
                    .order(java.nio.ByteOrder.LITTLE_ENDIAN);
            assertEquals(0x464c457f, b.getInt(0), p + ": the cubin is an ELF image");
            assertEquals(190, b.getShort(18), p + ": of CUDA machine code (EM_CUDA)");
            assertEquals(90, (b.getInt(48) >> 8) & 0xff, p + ": for sm_90");
        }
        assertTrue(log.stream().anyMatch(l -> l.contains("PTX and cubins for sm_90 of " + cu.size())), String.join("\n", log));
        Generator.Result second = new Generator(c, dir.resolve("state"), log::add).run(false);
        assertTrue(second.upToDate(), "nothing changed: nothing is compiled again");
        assertEquals(first.resourceFiles(), second.resourceFiles());
    }

    @Test
    void aCompileErrorNamesTheFileAndNvccsMessage() throws Exception {
        Path nvcc = nvcc();
        Path bad = dir.resolve("bad.cu");
        Files.writeString(bad, "__global__ void k() { this is not C++; }\n");
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new PtxCompiler(nvcc, "sm_90").compile(List.of(bad)));
        assertTrue(e.getMessage().contains(bad.toString()) && e.getMessage().contains("error"), e.getMessage());
    }

    @Test
    void architectureMustLookLikeOne() {
        assertThrows(IllegalArgumentException.class, () -> new PtxCompiler(Path.of("nvcc"), "90"));
        assertEquals("sm_90a", new PtxCompiler(Path.of("nvcc"), "sm_90a").arch());
    }
}
