package xlstm.runtime.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The tile width {@link JavaKernels} gives a decode step: about one task per thread in whole units, or whole heads. */
class StepTileTest {
    @Test
    void fewHeadsAreSplitIntoAboutOneTaskPerThread() {
        // batch 1, 4 heads on 16 threads: 4 tiles a head (the ~125M and ~350M models' value heads of 192 and 256)
        assertEquals(64, JavaKernels.stepTile(4, 256, 16, 16));
        assertEquals(48, JavaKernels.stepTile(4, 192, 16, 16));
        // rounded up to whole units: 3 tiles of 32 for a head of 96
        assertEquals(32, JavaKernels.stepTile(4, 96, 16, 16));
        assertEquals(64, JavaKernels.stepTile(4, 192, 16, 32));
        assertEquals(128, JavaKernels.stepTile(1, 256, 2, 16));
        assertEquals(32, JavaKernels.stepTile(3, 100, 16, 16)); // 17 columns rounded up: 4 tiles, the last of 4
    }

    @Test
    void wholeHeadsWhenThePairsFillTheThreadsOrAHeadIsOneTile() {
        assertEquals(256, JavaKernels.stepTile(4, 256, 4, 16));
        assertEquals(256, JavaKernels.stepTile(32, 256, 16, 16));
        assertEquals(16, JavaKernels.stepTile(4, 16, 16, 16));
        assertEquals(16, JavaKernels.stepTile(1, 16, 2, 16)); // half of 16, rounded up to a unit, is all of it
        assertEquals(256, JavaKernels.stepTile(1, 256, 1, 16));
        assertEquals(1, JavaKernels.stepTile(4, 0, 16, 16));
    }
}
