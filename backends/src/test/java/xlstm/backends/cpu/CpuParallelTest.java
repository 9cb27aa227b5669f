package xlstm.backends.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The pool's contract: every index exactly once, nested calls inline, a failure reported to the caller. */
class CpuParallelTest {
    @Test
    void everyChunkRunsExactlyOnceOverManyBackToBackJobs() {
        for (int job = 0; job < 2000; job++) {
            int n = 1 + job % 97;
            AtomicIntegerArray seen = new AtomicIntegerArray(n);
            CpuParallel.forChunks(n, seen::incrementAndGet);
            for (int i = 0; i < n; i++) assertEquals(1, seen.get(i), "job " + job + " chunk " + i);
        }
    }

    @Test
    void forEachCoversTheRangeWithGrains() {
        AtomicLong sum = new AtomicLong();
        CpuParallel.forEach(100_000, 64, i -> sum.addAndGet(i));
        assertEquals(100_000L * 99_999 / 2, sum.get());
    }

    @Test
    void nestedCallsRunInline() {
        AtomicLong sum = new AtomicLong();
        CpuParallel.forChunks(8, c -> CpuParallel.forChunks(8, d -> sum.addAndGet(c * 8 + d)));
        assertEquals(64L * 63 / 2, sum.get());
    }

    @Test
    void aFailingChunkIsRethrownAndThePoolStaysUsable() {
        RuntimeException e = assertThrows(RuntimeException.class, () -> CpuParallel.forChunks(32, c -> {
            if (c == 17) throw new IllegalStateException("chunk 17");
        }));
        assertTrue(e.getMessage().contains("chunk 17"));
        AtomicLong sum = new AtomicLong();
        CpuParallel.forChunks(10, sum::addAndGet);
        assertEquals(45, sum.get());
    }

    @Test
    void fusedLinearEqualsItsPartsOneByOne() {
        int in = 70;
        int[] outs = {37, 4, 130};
        for (int rows : new int[] {1, 3}) {
            for (boolean bf16 : new boolean[] {false, true}) {
                float[] x = CpuLinalgTest.randn(rows * in);
                java.util.List<FusedLinear.Part> parts = new java.util.ArrayList<>();
                java.lang.foreign.MemorySegment[] ws = new java.lang.foreign.MemorySegment[outs.length];
                java.lang.foreign.MemorySegment[] bs = new java.lang.foreign.MemorySegment[outs.length];
                java.lang.foreign.MemorySegment[] ys = new java.lang.foreign.MemorySegment[outs.length];
                for (int j = 0; j < outs.length; j++) {
                    ws[j] = CpuLinalgTest.weights(CpuLinalgTest.randn(outs[j] * in), bf16);
                    bs[j] = j == 1 ? null : CpuLinalgTest.f32(CpuLinalgTest.randn(outs[j]));
                    ys[j] = CpuLinalgTest.zeros(rows * outs[j]);
                    parts.add(new FusedLinear.Part(ws[j], 0, bf16, outs[j], bs[j], 0));
                }
                new FusedLinear(in, parts).apply(CpuLinalgTest.f32(x), 0, rows, ys);
                for (int j = 0; j < outs.length; j++) {
                    java.lang.foreign.MemorySegment want = CpuLinalgTest.zeros(rows * outs[j]);
                    CpuLinear.linear(CpuLinalgTest.f32(x), 0, rows, in, ws[j], 0, bf16, outs[j], bs[j], 0, want, 0);
                    float[] a = CpuLinalgTest.read(want, rows * outs[j]), b = CpuLinalgTest.read(ys[j], rows * outs[j]);
                    for (int i = 0; i < a.length; i++) {
                        assertEquals(a[i], b[i], 1e-5f * Math.max(1, Math.abs(a[i])), "part " + j + " rows " + rows);
                    }
                }
            }
        }
    }

    /** Chunks cut across the parts' boundaries (rows of 16 KiB: several chunks of a few rows) give each part's rows bit for bit. */
    @Test
    void fusedChunksSpanningPartsGiveTheSameRows() {
        int in = 4096;
        int[] outs = {37, 4, 130};
        for (int rows : new int[] {1, 3}) {
            for (boolean bf16 : new boolean[] {false, true}) {
                float[] x = CpuLinalgTest.randn(rows * in);
                java.util.List<FusedLinear.Part> parts = new java.util.ArrayList<>();
                java.lang.foreign.MemorySegment[] ys = new java.lang.foreign.MemorySegment[outs.length];
                for (int j = 0; j < outs.length; j++) {
                    parts.add(new FusedLinear.Part(CpuLinalgTest.weights(CpuLinalgTest.randn(outs[j] * in), bf16), 0,
                            bf16, outs[j], j == 1 ? null : CpuLinalgTest.f32(CpuLinalgTest.randn(outs[j])), 0));
                    ys[j] = CpuLinalgTest.zeros(rows * outs[j]);
                }
                FusedLinear fused = new FusedLinear(in, parts);
                int size = CpuGemv.chunkRows(171, in, bf16 ? 2 : 4);
                assertEquals((171 + size - 1) / size, fused.chunks(), "chunks of " + size + " rows over all parts");
                fused.apply(CpuLinalgTest.f32(x), 0, rows, ys);
                for (int j = 0; j < outs.length; j++) {
                    FusedLinear.Part p = parts.get(j);
                    java.lang.foreign.MemorySegment want = CpuLinalgTest.zeros(rows * outs[j]);
                    CpuLinear.linear(CpuLinalgTest.f32(x), 0, rows, in, p.w(), 0, bf16, outs[j], p.b(), 0, want, 0);
                    org.junit.jupiter.api.Assertions.assertArrayEquals(CpuLinalgTest.read(want, rows * outs[j]),
                            CpuLinalgTest.read(ys[j], rows * outs[j]), "part " + j + " rows " + rows + " bf16 " + bf16);
                }
            }
        }
    }
}
