package xlstm.backends.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link CpuGemv#rows} with two or four weight streams per thread gives the same bits as with one, float32 and bf16. */
class CpuGemvStreamsTest {
    @Test
    void moreStreamsGiveTheSameBits() {
        Random r = new Random(3);
        // lengths around the vector loops' bounds; odd and even row counts (an odd one runs its last row alone)
        for (int in : new int[] {1, 15, 16, 63, 64, 65, 200, 768}) {
            for (int rows : new int[] {1, 2, 3, 7, 12, 13}) {
                for (boolean bf16 : new boolean[] {false, true}) {
                    for (boolean bias : new boolean[] {false, true}) {
                        try (Arena a = Arena.ofConfined()) {
                            MemorySegment x = a.allocate(4L * in), w = a.allocate((bf16 ? 2L : 4L) * rows * in);
                            MemorySegment b = bias ? a.allocate(4L * (rows + 3)) : null;
                            MemorySegment y1 = a.allocate(4L * (rows + 3)), y2 = a.allocate(4L * (rows + 3));
                            MemorySegment y4 = a.allocate(4L * (rows + 3));
                            for (int i = 0; i < in; i++) Simd.setF(x, i, (float) r.nextGaussian());
                            for (long i = 0; i < (long) rows * in; i++) {
                                float v = (float) r.nextGaussian();
                                if (bf16) w.setAtIndex(Simd.SHORT, i, (short) (Float.floatToRawIntBits(v) >>> 16));
                                else Simd.setF(w, i, v);
                            }
                            if (bias) for (int i = 0; i < rows + 3; i++) Simd.setF(b, i, (float) r.nextGaussian());
                            // rows [3, 3 + rows) of a matrix whose first 3 rows are its start (offset rows in)
                            long wOff = -3L * in;
                            CpuGemv.rows(x, 0, in, w, wOff, bf16, b, 0, y1, 0, 3, 3 + rows, 1);
                            CpuGemv.rows(x, 0, in, w, wOff, bf16, b, 0, y2, 0, 3, 3 + rows, 2);
                            CpuGemv.rows(x, 0, in, w, wOff, bf16, b, 0, y4, 0, 3, 3 + rows, 4);
                            for (int o = 3; o < 3 + rows; o++) {
                                assertEquals(Float.floatToRawIntBits(Simd.getF(y1, o)), Float.floatToRawIntBits(Simd.getF(y2, o)),
                                        in + " inputs, " + rows + " rows, bf16 " + bf16 + ", bias " + bias + ", row " + o);
                                assertEquals(Float.floatToRawIntBits(Simd.getF(y1, o)), Float.floatToRawIntBits(Simd.getF(y4, o)),
                                        "4 streams: " + in + " inputs, " + rows + " rows, bf16 " + bf16 + ", bias " + bias + ", row " + o);
                            }
                        }
                    }
                }
            }
        }
    }
}
