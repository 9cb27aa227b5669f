package xlstm.backends.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/**
 * {@link Simd#sum} follows the halving tree bit for bit (that it gives the same bits interpreted and compiled:
 * {@link JitIndependenceTest}).
 */
class SimdSumTest {
    static final int VECTORS = 256;

    /** Lanes of wildly different magnitudes, so that the order of the additions shows in the rounded sum. */
    static float[][] data() {
        Random r = new Random(99);
        float[][] d = new float[VECTORS][Simd.L];
        for (float[] v : d) {
            for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextGaussian() * Math.exp(4 * r.nextGaussian()));
        }
        return d;
    }

    /** The halving tree written out: (lane i) + (lane i + n) for n = L/2, ..., 1. */
    static float tree(float[] v, int lo, int n) {
        if (n == 1) return v[lo];
        int h = n / 2;
        float[] half = new float[h];
        for (int i = 0; i < h; i++) half[i] = v[lo + i] + v[lo + i + h];
        return tree(half, 0, h);
    }

    static float sequential(float[] v) {
        float s = 0f;
        for (float x : v) s += x;
        return s;
    }

    @Test
    void sumFollowsTheHalvingTreeBitForBit() {
        int orderShows = 0;
        for (float[] v : data()) {
            float expected = tree(v, 0, v.length);
            assertEquals(Float.floatToRawIntBits(expected),
                    Float.floatToRawIntBits(Simd.sum(FloatVector.fromArray(Simd.F, v, 0))));
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(Simd.sumTree(v.clone())));
            if (sequential(v) != expected) orderShows++;
        }
        // the data tells the orders apart (with one lane there is only one order)
        assertTrue(Simd.L == 1 || orderShows > 0, "no vector where lane order changes the sum");
    }
}
