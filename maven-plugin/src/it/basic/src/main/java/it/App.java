package it;

import it.cells.DecayCell;
import it.cells.ScaleRowsKernel;

import java.lang.foreign.MemorySegment;

/** Compiles only if the generated classes are on the compile source path, in the configured package. */
public final class App {
    private App() {}

    public static void step(MemorySegment x, MemorySegment g, MemorySegment s, MemorySegment y, int d) {
        DecayCell.step(1, 1, d, x, g, s, y);
        ScaleRowsKernel.apply(1, d, y, y, ScaleRowsKernel.DEFAULT_C);
    }
}
