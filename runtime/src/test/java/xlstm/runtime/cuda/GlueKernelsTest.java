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
import xlstm.backends.Flags.BadFlag;
import xlstm.backends.cuda.CudaLibraries;
import org.junit.jupiter.api.io.TempDir;
import xlstm.runtime.UserError;

/**
 * The device-resident model's plumbing kernels without a GPU: the source compiles for sm_90 with nvcc (what NVRTC
 * does on the device) and defines every entry {@link GlueKernels} launches (and {@link ChoiceKernels}, the GEMVs, the
 * read probe); the block sizes of its reductions.
 */
class GlueKernelsTest {
    @Test
    void theSourceCompilesForSm90AndDefinesEveryEntry(@TempDir Path tmp) throws Exception {
        compilesAndDefines(tmp, GlueKernels.RESOURCE, GlueKernels.ENTRIES);
    }

    @Test
    void theChoiceSourceCompilesForSm90AndDefinesEveryEntry(@TempDir Path tmp) throws Exception {
        compilesAndDefines(tmp, ChoiceKernels.RESOURCE, ChoiceKernels.ENTRIES, ChoiceKernels.defines());
        // the cluster size is the loader's: the PTX asks for exactly that many work-groups a cluster
        assertTrue(compile(tmp, ChoiceKernels.RESOURCE, ChoiceKernels.defines(), "sm_90")
                .contains(".reqnctapercluster " + ChoiceKernels.DRAW_CLUSTER + ", 1, 1"));
    }

    @Test
    void theChoiceSourceCompilesWithoutClustersBeforeSm90(@TempDir Path tmp) throws Exception {
        String ptx = compile(tmp, ChoiceKernels.RESOURCE, ChoiceKernels.defines(), "sm_80");
        for (String e : ChoiceKernels.ENTRIES) {
            assertEquals(!e.equals("xl_sample_cluster"), ptx.contains(".entry " + e + "("), e + " in the PTX for sm_80");
        }
    }

    @Test
    void theReadProbeCompilesForSm90(@TempDir Path tmp) throws Exception {
        compilesAndDefines(tmp, ReadProbe.RESOURCE, ReadProbe.ENTRIES);
    }

    @Test
    void theGemvSourceCompilesForSm90AndDefinesEveryEntry(@TempDir Path tmp) throws Exception {
        compilesAndDefines(tmp, GemvKernels.RESOURCE, GemvKernels.ENTRIES);
    }

    @Test
    void everyGemvVariantAndTheTriggerFirstOrderCompile(@TempDir Path tmp) throws Exception {
        for (int ahead = 0; ahead <= 1; ahead++) {
            for (int loads : new int[] {4, 8}) {
                compilesAndDefines(tmp, GemvKernels.RESOURCE, GemvKernels.ENTRIES,
                        "#define XL_GEMV_AHEAD " + ahead + "\n#define XL_GEMV_LOADS " + loads + "\n");
            }
        }
        compilesAndDefines(tmp, GlueKernels.RESOURCE, GlueKernels.ENTRIES, "#define XL_TRIGGER_FIRST 1\n");
        compilesAndDefines(tmp, ChoiceKernels.RESOURCE, ChoiceKernels.ENTRIES, "#define XL_TRIGGER_FIRST 1\n" + ChoiceKernels.defines());
        // the fused forms' loads and launch bounds, as the loader defines them by default and with every form bounded
        compilesAndDefines(tmp, GemvKernels.RESOURCE, GemvKernels.ENTRIES, GemvKernels.defines());
        compilesAndDefines(tmp, GemvKernels.RESOURCE, GemvKernels.ENTRIES, "#define XL_GEMV_RMS_LOADS 4\n"
                + "#define XL_GEMV_RMS_BLOCKS 4\n#define XL_GEMV_SWIGLU_LOADS 4\n#define XL_GEMV_SWIGLU_BLOCKS 3\n");
        // and no form reading its norm's weights before the wait
        compilesAndDefines(tmp, GemvKernels.RESOURCE, GemvKernels.ENTRIES, "#define XL_GEMV_RMS_PRE 0\n"
                + "#define XL_GEMV_SWIGLU_PRE 0\n#define XL_GEMV_HNG_PRE 0\n");
    }

    /** The PTX nvcc makes of the resource (after the prelude and defines) for arch (skipped without nvcc). */
    private static String compile(Path tmp, String resource, String defines, String arch) throws Exception {
        Path nvcc = CudaLibraries.nvcc();
        if (nvcc == null && "1".equals(System.getenv("XLSTM_REQUIRE_TOOLCHAINS"))) fail("XLSTM_REQUIRE_TOOLCHAINS=1 but no nvcc");
        assumeTrue(nvcc != null, "nvcc is not installed");
        Path cu = tmp.resolve("kernels.cu"), ptx = tmp.resolve("kernels.ptx");
        Files.writeString(cu, GlueKernels.source(resource, defines));
        Process p = new ProcessBuilder(nvcc.toString(), "-arch=" + arch, "-ptx", cu.toString(), "-o", ptx.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "nvcc finished");
        assertEquals(0, p.exitValue(), log);
        return Files.readString(ptx);
    }

    @Test
    void gemvAheadIsZeroOrOne() {
        String old = System.getProperty("xlstm.cuda.gemvAhead");
        try {
            System.setProperty("xlstm.cuda.gemvAhead", "0");
            assertEquals(0, GemvKernels.ahead());
            System.setProperty("xlstm.cuda.gemvAhead", "3");
            BadFlag e = org.junit.jupiter.api.Assertions.assertThrows(BadFlag.class, GemvKernels::ahead);
            assertTrue(e.getMessage().equals("-Dxlstm.cuda.gemvAhead=3: one of 0, 1"), e.getMessage());
        } finally {
            if (old == null) System.clearProperty("xlstm.cuda.gemvAhead");
            else System.setProperty("xlstm.cuda.gemvAhead", old);
        }
    }

    @Test
    void gemvTakesOneRowOfWholeChunks() {
        assertTrue(GemvKernels.fits(1, 4096) && GemvKernels.fits(1, 10944));
        assertTrue(!GemvKernels.fits(2, 4096), "batched decode and prefill stay on cuBLAS");
        assertTrue(!GemvKernels.fits(1, 4100), "16-byte chunks of 8 weights");
        assertTrue(!GemvKernels.fits(0, 4096));
    }

    @Test
    void theRowsGemvSourceCompilesForSm90WithEveryStageAndTileCount(@TempDir Path tmp) throws Exception {
        compilesAndDefines(tmp, RowsGemvKernels.RESOURCE, RowsGemvKernels.ENTRIES, RowsGemvKernels.defines());
        for (int tiles : new int[] {1, 2}) {
            for (int stages : new int[] {2, 3, 4, 6, 8, 12}) {
                if (RowsGemvKernels.ringBytes(stages, tiles) > 227 * 1024) {
                    int s = stages, t = tiles;
                    UserError e = org.junit.jupiter.api.Assertions.assertThrows(UserError.class,
                            () -> RowsGemvKernels.checkRing(s, t));
                    assertTrue(e.getMessage().startsWith("-Dxlstm.cuda.rowsStages=" + s + " with -Dxlstm.cuda.rowsTiles=" + t
                            + ": "), e.getMessage());
                    continue;
                }
                RowsGemvKernels.checkRing(stages, tiles);
                compilesAndDefines(tmp, RowsGemvKernels.RESOURCE, RowsGemvKernels.ENTRIES,
                        "#define XL_ROWS_STAGES " + stages + "\n#define XL_ROWS_WTILES " + tiles + "\n");
            }
        }
    }

    @Test
    void theRowsGemvTakesTwoToSixteenRowsOfWholeSlabs() {
        assertTrue(RowsGemvKernels.fits(2, 4096, 12304, false, 0) && RowsGemvKernels.fits(16, 10944, 4096, false, 0x10));
        assertTrue(!RowsGemvKernels.fits(1, 4096, 4096, false, 0), "one row is GemvKernels'");
        assertTrue(!RowsGemvKernels.fits(17, 4096, 4096, false, 0), "at most 16 rows (one m16 tile)");
        assertTrue(!RowsGemvKernels.fits(8, 4096 + 32, 4096, false, 0), "slabs of 64 features");
        assertTrue(RowsGemvKernels.fits(8, 4096, 388, false, 0) && RowsGemvKernels.fits(8, 4096, 50, true, 0),
                "any count of outputs: a tile's rows past it are not stored");
        assertTrue(!RowsGemvKernels.fits(8, 4096, 4096, false, 8), "16-byte aligned tensors");
    }

    @Test
    void theHeadNormWithTheGateTakesAnyRowsOfWholeVectorsUpToAWarpsShare() {
        assertTrue(GlueKernels.headNormGateFits(8192, 8, 512, 0) && GlueKernels.headNormGateFits(2, 8, 512, 0x100),
                "a prompt's many rows and a batched step's few");
        assertTrue(GlueKernels.headNormGateFits(1, 4, 200, 0), "a head of 50 vectors of 4");
        assertTrue(!GlueKernels.headNormGateFits(0, 8, 512, 0), "no rows");
        assertTrue(!GlueKernels.headNormGateFits(4, 4, 130, 0), "whole vectors of 4 features");
        assertTrue(!GlueKernels.headNormGateFits(4, 4, GlueKernels.WARP_NORM_MAX + 4, 0), "at most a warp's share");
        assertTrue(!GlueKernels.headNormGateFits(4, 8, 512, 8), "16-byte aligned tensors");
    }

    @Test
    void theRowsGemvTakesTheRowCountsWhereItWasFaster() {
        String old = System.getProperty("xlstm.cuda.rowsGemv");
        try {
            System.clearProperty("xlstm.cuda.rowsGemv");
            assertTrue(RowsGemvKernels.useFor(2) && RowsGemvKernels.useFor(7) && RowsGemvKernels.useFor(8)
                    && RowsGemvKernels.useFor(15));
            assertTrue(!RowsGemvKernels.useFor(1) && !RowsGemvKernels.useFor(16) && !RowsGemvKernels.useFor(17),
                    "one row: the GEMV; 16: cuBLAS was faster; 17: too many");
            System.setProperty("xlstm.cuda.rowsGemv", "all");
            assertTrue(RowsGemvKernels.useFor(8) && RowsGemvKernels.useFor(16) && !RowsGemvKernels.useFor(17));
            System.setProperty("xlstm.cuda.rowsGemv", "false");
            assertTrue(!RowsGemvKernels.useFor(2));
            System.setProperty("xlstm.cuda.rowsGemv", "yes");
            BadFlag e = org.junit.jupiter.api.Assertions.assertThrows(BadFlag.class, () -> RowsGemvKernels.useFor(2));
            assertEquals("-Dxlstm.cuda.rowsGemv=yes: one of auto, all, false", e.getMessage());
        } finally {
            if (old == null) System.clearProperty("xlstm.cuda.rowsGemv");
            else System.setProperty("xlstm.cuda.rowsGemv", old);
        }
    }

    /** The message of the flag error {@code reader} throws with {@code -Dname=value}. */
    private static String refused(String name, String value, org.junit.jupiter.api.function.Executable reader) {
        System.setProperty(name, value);
        return org.junit.jupiter.api.Assertions.assertThrows(BadFlag.class, reader).getMessage();
    }

    @Test
    void theRowsGemvOptionsAreChecked() {
        String[] names = {"xlstm.cuda.rowsWarps", "xlstm.cuda.rowsStages", "xlstm.cuda.rowsTiles"};
        String[] old = new String[names.length];
        for (int i = 0; i < names.length; i++) old[i] = System.getProperty(names[i]);
        try {
            for (String name : names) System.clearProperty(name);
            assertEquals(2048, RowsGemvKernels.targetWarps());
            assertEquals(4, RowsGemvKernels.stages());
            assertEquals(1, RowsGemvKernels.tiles());
            assertEquals("-Dxlstm.cuda.rowsWarps=many: a whole number, 1 or more",
                    refused("xlstm.cuda.rowsWarps", "many", RowsGemvKernels::targetWarps));
            assertEquals("-Dxlstm.cuda.rowsWarps=0: a whole number, 1 or more",
                    refused("xlstm.cuda.rowsWarps", "0", RowsGemvKernels::targetWarps));
            assertEquals("-Dxlstm.cuda.rowsStages=5: one of 2, 3, 4, 6, 8, 12",
                    refused("xlstm.cuda.rowsStages", "5", RowsGemvKernels::stages));
            assertEquals("-Dxlstm.cuda.rowsTiles=0: one of 1, 2", refused("xlstm.cuda.rowsTiles", "0", RowsGemvKernels::tiles));
        } finally {
            for (int i = 0; i < names.length; i++) {
                if (old[i] == null) System.clearProperty(names[i]);
                else System.setProperty(names[i], old[i]);
            }
        }
    }

    @Test
    void theProjectionIntoTheCellLayoutsNeedsTwoEqualGates() {
        RowsGemvKernels.checkParts(12304, 2048, 4096); // the 7B block: 8 i and 8 f gates
        RowsGemvKernels.checkParts(776, 64, 128);
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> RowsGemvKernels.checkParts(12303, 2048, 4096));
        assertEquals("projection of 12303 rows: q, k 2048, v, o 4096 leave 15 rows, not two gates of equal size",
                e.getMessage());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> RowsGemvKernels.checkParts(12288, 2048, 4096), "no gates");
    }

    @Test
    void theRowsGemvSplitsKUntilEnoughWarps() {
        assertEquals(256, RowsGemvKernels.groups(4096, false), "7B down: tiles of 16 rows");
        assertEquals(8, RowsGemvKernels.split(256, 171), "7B down: 256 groups, 8 warps each");
        assertEquals(1368, RowsGemvKernels.groups(10944, true), "gate|up: tiles of 8 gate and 8 up rows");
        assertEquals(2, RowsGemvKernels.split(1368, 64), "gate|up with SwiGLU: 2736 warps");
        assertEquals(769, RowsGemvKernels.groups(12304, false));
        assertEquals(7, RowsGemvKernels.groups(100, false), "a tail tile");
        assertEquals(4, RowsGemvKernels.split(769, 64));
        assertEquals(1, RowsGemvKernels.split(2048, 64), "enough groups already");
        assertEquals(1, RowsGemvKernels.split(97, 1), "every warp a slab at least");
        assertEquals(4, RowsGemvKernels.split(97, 4));
        assertEquals(2, RowsGemvKernels.split(97, 3));
    }

    @Test
    void theFusedGemvTakesWholeSlicesOfAlignedFeatures() {
        assertTrue(GemvKernels.fusedFits(4096, 4096, 0) && GemvKernels.fusedFits(4096, 512, 0x100));
        assertTrue(!GemvKernels.fusedFits(4096 + 64, 4096 + 64, 0), "128-feature slices (one warp's 32 vectors of 4)");
        assertTrue(GemvKernels.fusedFits(256, 64, 0) && GemvKernels.fusedFits(4096, 32, 0), "slices of whole groups");
        assertTrue(!GemvKernels.fusedFits(4096, 16, 0), "at most 128 groups of a slice's runs");
        assertTrue(!GemvKernels.fusedFits(4096, 96, 0), "a group is whole slices or divides one");
        assertTrue(!GemvKernels.fusedFits(4096, 384 * 2, 0), "groups tile the features");
        assertTrue(!GemvKernels.fusedFits(8192, 8192, 0), "at most 16 features a prologue thread");
        assertTrue(!GemvKernels.fusedFits(4096, 4096, 8), "16-byte aligned tensors");
    }

    private static void compilesAndDefines(Path tmp, String resource, java.util.List<String> entries) throws Exception {
        compilesAndDefines(tmp, resource, entries, "");
    }

    private static void compilesAndDefines(Path tmp, String resource, java.util.List<String> entries, String defines)
            throws Exception {
        String text = compile(tmp, resource, defines, "sm_90");
        for (String e : entries) assertTrue(text.contains(".entry " + e + "("), e + " in the PTX of " + resource);
        // each kernel waits for its predecessor (dependent launches are then safe): a wait in every entry's body
        String[] bodies = text.split("\\.entry ");
        for (String e : entries) {
            for (String body : bodies) {
                if (body.startsWith(e + "(")) assertTrue(body.contains("griddepcontrol.wait"), "wait in " + e + " " + defines);
            }
        }
    }

    @Test
    void reductionsUseAboutFourFeaturesAThreadInWholeWarps() {
        assertEquals(1024, GlueKernels.reduceBlock(4096));
        assertEquals(1024, GlueKernels.reduceBlock(1 << 20), "at most 1024 threads");
        assertEquals(128, GlueKernels.reduceBlock(512));
        assertEquals(32, GlueKernels.reduceBlock(8), "at least a warp");
        assertEquals(64, GlueKernels.reduceBlock(200), "50 threads, rounded up to whole warps");
    }

    @Test
    void theRowsFormsKeepUpToSixteenFeaturesAThread() {
        assertEquals(256, GlueKernels.rowsBlock(4096), "a 7B prompt's rows: 16 a thread");
        assertEquals(1024, GlueKernels.rowsBlock(16384), "the longest row held in registers");
        assertEquals(1024, GlueKernels.rowsBlock(1 << 20), "at most 1024 threads (the kernels loop)");
        assertEquals(64, GlueKernels.rowsBlock(512), "at least two warps");
        assertEquals(96, GlueKernels.rowsBlock(1100), "69 threads, rounded up to whole warps");
    }
}
