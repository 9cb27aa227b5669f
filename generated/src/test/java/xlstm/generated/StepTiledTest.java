package xlstm.generated;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import xlstm.backends.cpu.KernelMode;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code stepTiled} (the decode step split over value columns; a tile of at least DV: whole heads, one task each)
 * against {@code step}, over several steps from a random state: the states equal bit for bit; the outputs too when
 * the tile is a multiple of the vector length (and in the scalar twin, which has no lanes), within float rounding
 * otherwise (the split between lanes and tail moves).
 */
class StepTiledTest {
    static final int VL = FloatVector.SPECIES_PREFERRED.length();
    static final int STEPS = 5;

    record Shape(int B, int NH, int DQK, int DV, int tile) {
        @Override public String toString() { return "B" + B + "xNH" + NH + "xDQK" + DQK + "xDV" + DV + " tile " + tile; }
    }

    static final List<Shape> SHAPES = List.of(new Shape(1, 4, 32, 64, 16), new Shape(1, 4, 24, 48, 32),
            new Shape(2, 3, 5, 7, 3), new Shape(2, 1, 33, 65, 32), new Shape(3, 2, 16, 100, 64), new Shape(1, 1, 1, 1, 1),
            new Shape(1, 2, 17, 40, 128), new Shape(2, 2, 9, 50, VL), new Shape(1, 1, 12, 30, 7), new Shape(2, 4, 32, 64, 64));

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String cell : List.of("mlstm", "mlstm_sig+", "mlstm_sig-"))
            for (Shape s : SHAPES)
                for (boolean scalar : new boolean[]{false, true}) out.add(Arguments.of(cell, s, scalar));
        return out.stream();
    }

    /** The tensors of one cell call; {@code m} is null for mlstm_sig. */
    record Io(MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment i, MemorySegment f, MemorySegment C,
              MemorySegment n, MemorySegment m, MemorySegment h) {}

    @ParameterizedTest(name = "{0} {1} scalar={2}")
    @MethodSource("cases")
    void tiledEqualsStep(String cell, Shape s, boolean scalar) {
        boolean sig = cell.startsWith("mlstm_sig"), normalize = !cell.endsWith("-");
        int bh = s.B() * s.NH();
        Random r = new Random(7 + s.hashCode());
        boolean exact = scalar || s.tile() % VL == 0;
        try (Arena a = Arena.ofShared()) { // shared segments: the pool's threads run the tasks
            // the step's states from a random start (m around the gates' scale), one copy per path
            MemorySegment c0 = random(a, r, bh * s.DQK() * s.DV(), 0.5, 0), n0 = random(a, r, bh * s.DQK(), 0.5, 0);
            MemorySegment m0 = sig ? null : random(a, r, bh, 1.0, 0.5);
            Io ref = io(a, s, c0, n0, m0), tiled = io(a, s, c0, n0, m0);
            boolean was = KernelMode.scalar();
            KernelMode.forceScalar(scalar);
            try {
                for (int t = 0; t < STEPS; t++) {
                    for (MemorySegment in : List.of(ref.q, ref.k, ref.v)) fill(in, r, 1.0, 0);
                    fill(ref.i, r, 2.0, 0);
                    fill(ref.f, r, 2.0, 1.5);
                    for (int x = 0; x < 5; x++) inputs(tiled)[x].copyFrom(inputs(ref)[x]);
                    if (sig) {
                        MlstmSigCell.step(s.B(), s.NH(), s.DQK(), s.DV(), ref.q, ref.k, ref.v, ref.i, ref.f, ref.C, ref.n,
                                ref.h, MlstmSigCell.DEFAULT_EPS, normalize);
                        MlstmSigCell.stepTiled(s.B(), s.NH(), s.DQK(), s.DV(), s.tile(), tiled.q, tiled.k, tiled.v,
                                tiled.i, tiled.f, tiled.C, tiled.n, tiled.h, MlstmSigCell.DEFAULT_EPS, normalize);
                    } else {
                        MlstmCell.step(s.B(), s.NH(), s.DQK(), s.DV(), ref.q, ref.k, ref.v, ref.i, ref.f, ref.C, ref.n,
                                ref.m, ref.h, MlstmCell.DEFAULT_EPS);
                        MlstmCell.stepTiled(s.B(), s.NH(), s.DQK(), s.DV(), s.tile(), tiled.q, tiled.k, tiled.v,
                                tiled.i, tiled.f, tiled.C, tiled.n, tiled.m, tiled.h, MlstmCell.DEFAULT_EPS);
                    }
                    // the states by the same operations whatever the tile (lanes only change the read-out's sums)
                    String at = " after step " + (t + 1);
                    same("h" + at, tiled.h, ref.h, exact);
                    same("C" + at, tiled.C, ref.C, true);
                    same("n" + at, tiled.n, ref.n, true);
                    if (!sig) same("m" + at, tiled.m, ref.m, true);
                }
            } finally {
                KernelMode.forceScalar(was);
            }
        }
    }

    @Test
    void rejectsTileBelowOne() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment x = a.allocate(64);
            assertThrows(IllegalArgumentException.class,
                    () -> MlstmCell.stepTiled(1, 1, 2, 2, 0, x, x, x, x, x, x, x, x, x, MlstmCell.DEFAULT_EPS));
        }
    }

    private static MemorySegment[] inputs(Io io) { return new MemorySegment[]{io.q, io.k, io.v, io.i, io.f}; }

    private static Io io(Arena a, Shape s, MemorySegment c0, MemorySegment n0, MemorySegment m0) {
        int bh = s.B() * s.NH();
        Io io = new Io(a.allocate(4L * bh * s.DQK()), a.allocate(4L * bh * s.DQK()), a.allocate(4L * bh * s.DV()),
                a.allocate(4L * bh), a.allocate(4L * bh), copy(a, c0), copy(a, n0), m0 == null ? null : copy(a, m0),
                a.allocate(4L * bh * s.DV()));
        return io;
    }

    private static MemorySegment copy(Arena a, MemorySegment s) { return a.allocate(s.byteSize()).copyFrom(s); }

    private static MemorySegment random(Arena a, Random r, int n, double scale, double shift) {
        MemorySegment s = a.allocate(4L * n);
        fill(s, r, scale, shift);
        return s;
    }

    private static void fill(MemorySegment s, Random r, double scale, double shift) {
        for (long e = 0; e < s.byteSize() / 4; e++) s.setAtIndex(ValueLayout.JAVA_FLOAT, e, (float) (shift + scale * r.nextGaussian()));
    }

    /**
     * Equal bits, or else within float rounding of the largest value: the read-out's sum over DQK products, as fma
     * in lanes or as multiply and add in the tail.
     */
    private static void same(String what, MemorySegment got, MemorySegment want, boolean exact) {
        long n = want.byteSize() / 4;
        double max = 0, diff = 0;
        for (long e = 0; e < n; e++) {
            float w = want.getAtIndex(ValueLayout.JAVA_FLOAT, e), g = got.getAtIndex(ValueLayout.JAVA_FLOAT, e);
            if (exact) assertEquals(Float.floatToIntBits(w), Float.floatToIntBits(g), what + " [" + e + "]: " + g + " vs " + w);
            max = Math.max(max, Math.abs(w));
            diff = Math.max(diff, Math.abs(g - w));
        }
        assertTrue(diff <= 1e-5 * Math.max(1, max), what + ": max |diff| " + diff + " for max |value| " + max);
    }
}
