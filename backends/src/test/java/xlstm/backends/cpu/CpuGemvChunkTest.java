package xlstm.backends.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** {@link CpuGemv#chunkRows}: the chunk count a setting asks for, within the least chunk size, rows a multiple of 4. */
class CpuGemvChunkTest {
    @Test
    void chunksFollowTheSetting() {
        for (int threads : new int[] {1, 2, 8, 16, 64}) {
            for (int perThread : new int[] {1, 2, 4, 8}) {
                for (long total : new long[] {4, 100, 768, 2312, 4096, 50304}) {
                    for (int in : new int[] {16, 768, 4096}) {
                        for (long minBytes : new long[] {1024, 64 * 1024, 1 << 20}) {
                            int size = CpuGemv.chunkRows(total, in, 4, threads, perThread, minBytes);
                            String at = threads + " threads x " + perThread + ", " + total + " x " + in + ", min "
                                    + minBytes + ": " + size + " rows";
                            assertEquals(0, size % 4, at);
                            long chunks = (total + size - 1) / size;
                            assertTrue(chunks <= (long) threads * perThread, at);
                            // no larger than the asked count or the least chunk size needs (rounded up to 4 rows)
                            long perChunk = (total + (long) threads * perThread - 1) / ((long) threads * perThread);
                            long least = Math.max(4, minBytes / (4L * in));
                            assertTrue(size >= least && size < Math.max(perChunk, least) + 4, at);
                        }
                    }
                }
            }
        }
    }

    @Test
    void oneChunkPerThreadIsOneContiguousRangeEach() {
        // 16 threads, 2312 rows of 768 floats (an mLSTM layer's fused input projections at E 768): 16 ranges
        int size = CpuGemv.chunkRows(2312, 768, 4, 16, 1, 64 * 1024);
        assertEquals(16, (2312 + size - 1) / size);
    }
}
