package xlstm.runtime.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

/**
 * The build-time PTX and cubins that the cuda backend loads instead of compiling with NVRTC (xlstm-maven-plugin,
 * nvcc): the cubin on sm_90 GPUs (no JIT at first use), the PTX on newer ones.
 */
class BuildTimePtxTest {
    @Test
    void everyCudaKernelOfThisBuildHasItsPtxForSm90() {
        KernelIndex index = CudaKernels.index();
        assertNotNull(index, "the build has CUDA kernels");
        KernelIndex.Entry first = index.entries().getFirst();
        boolean built = index.beside(first.file(), ".ptx") != null;
        if (!built && "1".equals(System.getenv("XLSTM_REQUIRE_TOOLCHAINS"))) fail("XLSTM_REQUIRE_TOOLCHAINS=1 but no build-time PTX");
        assumeTrue(built, "this build ran without nvcc, so it has no build-time PTX");
        for (KernelIndex.Entry e : index.entries()) {
            String ptx = index.beside(e.file(), ".ptx");
            assertNotNull(ptx, e.file() + " has its PTX");
            assertEquals(90, CudaKernels.ptxArch(ptx), e.file());
            assertTrue(ptx.contains(".entry " + e.entry()) || ptx.contains(".entry " + e.entry() + "("), e.file() + " defines " + e.entry());
            byte[] cubin = index.besideBytes(e.file(), ".cubin");
            assertNotNull(cubin, e.file() + " has its cubin");
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(cubin).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            assertEquals(0x464c457f, b.getInt(0), e.file() + ": the cubin is an ELF image");
            assertEquals(90, (b.getInt(48) >> 8) & 0xff, e.file() + ": the cubin is for sm_90");
            assertTrue(new String(cubin, java.nio.charset.StandardCharsets.ISO_8859_1).contains(e.entry()),
                    e.file() + ": the cubin holds " + e.entry());
        }
    }

    @Test
    void machineCodeRunsOnlyOnItsGeneration() {
        assertTrue(CudaKernels.machineCodeRuns(90, 90), "sm_90 code on an H100/H200");
        assertTrue(!CudaKernels.machineCodeRuns(100, 90), "sm_90 code is not machine code for sm_100 (its PTX is)");
        assertTrue(!CudaKernels.machineCodeRuns(89, 90), "nor for an older GPU");
        assertTrue(!CudaKernels.machineCodeRuns(80, 90));
    }

    @Test
    void ptxArchitectureIsReadFromTheTargetLine() {
        assertEquals(90, CudaKernels.ptxArch("//\n.version 9.0\n.target sm_90\n.address_size 64\n"));
        assertEquals(100, CudaKernels.ptxArch(".version 9.0\n  .target sm_100a\n"));
        assertEquals(0, CudaKernels.ptxArch("no target here"));
    }
}
