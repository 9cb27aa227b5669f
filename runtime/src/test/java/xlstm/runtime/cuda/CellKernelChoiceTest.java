package xlstm.runtime.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import xlstm.runtime.cuda.CellBench.Kernel;

/** Which generated cell kernel the device-resident model runs for a pass (no GPU needed: a function of the switches). */
class CellKernelChoiceTest {
    @Test
    void decodeStepsRunTheStepKernelPromptsTheTensorCoresWhereAllowed() {
        // a decode step (S = 1): the tiled step kernel, whatever the weights; the wide one from 64 (batch, head) pairs
        assertEquals(Kernel.STEP_TILED, DeviceLarge.cellKernel(true, true, true, false, 64, 8, 1));
        assertEquals(Kernel.STEP_TILED, DeviceLarge.cellKernel(true, true, false, false, 64, DeviceLarge.WIDE_STEP_PAIRS - 1, 1));
        assertEquals(Kernel.STEP_WIDE, DeviceLarge.cellKernel(true, true, false, false, 64, DeviceLarge.WIDE_STEP_PAIRS, 1));
        assertEquals(Kernel.STEP_WIDE, DeviceLarge.cellKernel(true, true, true, true, 64, 512, 1));
        assertEquals(Kernel.STEP_TILED, DeviceLarge.cellKernel(true, false, true, true, 64, 512, 1));
        // switched off: the chunkwise kernels by (batch, head) pairs
        assertEquals(Kernel.TILED, DeviceLarge.cellKernel(false, true, true, false, 64, 8, 1));
        assertEquals(Kernel.PLAIN, DeviceLarge.cellKernel(false, true, true, false, 64, 64, 1));
        // prompts of 16 steps or more on tensor cores (bf16 weights); shorter ones would pad to a 64-step chunk
        assertEquals(Kernel.TENSOR, DeviceLarge.cellKernel(true, true, true, false, 64, 8, DeviceLarge.TENSOR_MIN_STEPS));
        assertEquals(Kernel.TENSOR, DeviceLarge.cellKernel(true, true, true, false, 64, 512, 8192));
        assertEquals(Kernel.TILED, DeviceLarge.cellKernel(true, true, true, false, 64, 8, DeviceLarge.TENSOR_MIN_STEPS - 1));
        // split in two passes (the model's default: states, then all chunks' outputs at once) or fused
        assertEquals(Kernel.TENSOR_SPLIT, DeviceLarge.cellKernel(true, true, true, true, 64, 8, 8192));
        assertEquals(Kernel.TENSOR_SPLIT, DeviceLarge.cellKernel(false, true, true, true, 64, 512, DeviceLarge.TENSOR_MIN_STEPS));
        assertEquals(Kernel.STEP_TILED, DeviceLarge.cellKernel(true, true, true, true, 64, 8, 1));
        assertEquals(Kernel.TILED, DeviceLarge.cellKernel(true, true, false, true, 64, 8, 8192));
        // float32 weights (no tensor cores): tiled below 64 pairs, plain from there
        assertEquals(Kernel.TILED, DeviceLarge.cellKernel(true, true, false, false, 64, 63, 100));
        assertEquals(Kernel.PLAIN, DeviceLarge.cellKernel(true, true, false, false, 64, 64, 100));
        assertEquals(Kernel.PLAIN, DeviceLarge.cellKernel(true, true, false, false, 0, 8, 100));
    }

    @Test
    void theTensorCoreKernelTakesKeyDimsOfSixteensUpTo256AndChunksUpTo64() {
        assertTrue(DeviceLarge.tensorCoreShape(256, 64), "xLSTM 7B");
        assertTrue(DeviceLarge.tensorCoreShape(32, 16), "hf_xlstm_small");
        assertTrue(DeviceLarge.tensorCoreShape(16, 1));
        assertFalse(DeviceLarge.tensorCoreShape(24, 64), "not a multiple of 16");
        assertFalse(DeviceLarge.tensorCoreShape(272, 64), "more keys than the register tile holds");
        assertFalse(DeviceLarge.tensorCoreShape(256, 128), "chunks longer than 64");
    }

    @Test
    void theOneStepKernelIsNotAChunkwiseRowOfTheBench() {
        assertTrue(Kernel.STEP_TILED.step());
        assertTrue(Kernel.STEP_WIDE.step());
        for (Kernel k : new Kernel[] {Kernel.PLAIN, Kernel.TILED, Kernel.TENSOR, Kernel.TENSOR_SPLIT}) assertFalse(k.step(), k.name());
    }

    @Test
    void onlyTheSplitFormLaunchesASecondPass() {
        assertEquals("mlstm_chunkwise_tc_out", Kernel.TENSOR_SPLIT.then);
        for (Kernel k : new Kernel[] {Kernel.PLAIN, Kernel.TILED, Kernel.TENSOR, Kernel.STEP_TILED, Kernel.STEP_WIDE}) assertEquals(null, k.then, k.name());
    }
}
