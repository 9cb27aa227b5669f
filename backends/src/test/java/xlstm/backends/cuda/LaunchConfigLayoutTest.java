package xlstm.backends.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code CUlaunchConfig} our FFM binding writes for {@code cuLaunchKernelEx} (dependent launches), read back by
 * a C program through cuda.h's own struct definitions: no GPU needed, only the CUDA toolkit's header (nvcc, present
 * on the CI machines; skipped without it unless {@code XLSTM_REQUIRE_TOOLCHAINS=1}).
 */
class LaunchConfigLayoutTest {
    private static final String READER = """
            #include <cuda.h>
            #include <stdio.h>
            int main(int argc, char** argv) {
                unsigned char buf[sizeof(CUlaunchConfig) + sizeof(CUlaunchAttribute)];
                FILE* f = fopen(argv[1], "rb");
                if (!f || fread(buf, 1, sizeof buf, f) != sizeof buf) return 2;
                const CUlaunchConfig* c = (const CUlaunchConfig*) buf;
                const CUlaunchAttribute* a = (const CUlaunchAttribute*) (buf + sizeof(CUlaunchConfig));
                printf("%u %u %u %u %u %u %u %llu %llu %u %d %d\\n", c->gridDimX, c->gridDimY, c->gridDimZ,
                       c->blockDimX, c->blockDimY, c->blockDimZ, c->sharedMemBytes,
                       (unsigned long long) c->hStream, (unsigned long long) c->attrs, c->numAttrs,
                       (int) a->id == (int) CU_LAUNCH_ATTRIBUTE_PROGRAMMATIC_STREAM_SERIALIZATION,
                       a->value.programmaticStreamSerializationAllowed);
                return 0;
            }
            """;

    @Test
    void cudaHReadsTheConfigAsWritten(@TempDir Path tmp) throws Exception {
        Path exe = compile(tmp, "reader", READER), bytes = tmp.resolve("config.bin");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment stream = MemorySegment.ofAddress(0x1234_5678L);
            MemorySegment config = CudaDriver.dependentLaunchConfig(arena, 513, 256, 169_984, stream);
            Files.write(bytes, config.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            String out = run(tmp, exe.toString(), bytes.toString()).trim();
            long attrs = config.address() + 56;
            assertEquals("513 1 1 256 1 1 169984 " + 0x1234_5678L + " " + attrs + " 1 1 1", out,
                    "grid, block, shared bytes, stream, attribute pointer and count, attribute id and value");
        }
    }

    private static final String PLAIN_READER = """
            #include <cuda.h>
            #include <stdio.h>
            int main(int argc, char** argv) {
                CUlaunchConfig c;
                FILE* f = fopen(argv[1], "rb");
                if (!f || fread(&c, 1, sizeof c, f) != sizeof c) return 2;
                printf("%zu %u %u %u %u %u %u %u %llu %llu %u\\n", sizeof c, c.gridDimX, c.gridDimY, c.gridDimZ,
                       c.blockDimX, c.blockDimY, c.blockDimZ, c.sharedMemBytes,
                       (unsigned long long) c.hStream, (unsigned long long) c.attrs, c.numAttrs);
                return 0;
            }
            """;

    /** The config of the cluster-occupancy query: no attributes (the cluster size is the kernel's own). */
    @Test
    void cudaHReadsThePlainConfigAsWritten(@TempDir Path tmp) throws Exception {
        Path exe = compile(tmp, "plain", PLAIN_READER), bytes = tmp.resolve("plain.bin");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment config = CudaDriver.launchConfig(arena, 56, 8, 1024, 0, MemorySegment.NULL);
            Files.write(bytes, config.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE));
            assertEquals("56 8 1 1 1024 1 1 0 0 0 0", run(tmp, exe.toString(), bytes.toString()).trim(),
                    "size, grid, block, shared bytes, stream, no attributes");
        }
    }

    /** The C program {@code source} built with nvcc as {@code tmp/name} (skipped without nvcc). */
    private static Path compile(Path tmp, String name, String source) throws Exception {
        Path nvcc = CudaLibraries.nvcc();
        if (nvcc == null && "1".equals(System.getenv("XLSTM_REQUIRE_TOOLCHAINS"))) fail("XLSTM_REQUIRE_TOOLCHAINS=1 but no nvcc");
        assumeTrue(nvcc != null, "nvcc (and with it cuda.h) is not installed");
        Path src = tmp.resolve(name + ".cu"), exe = tmp.resolve(name);
        Files.writeString(src, source);
        run(tmp, nvcc.toString(), src.toString(), "-o", exe.toString());
        return exe;
    }

    private static String run(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), cmd[0] + " finished");
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ":\n" + log);
        return log;
    }
}
