package xlstm.backends.cpu;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Several linear layers that read the same input, run as one parallel pass: one hand-off to the pool instead of
 * one per layer, and the tiny ones (an mLSTM layer's input and forget gates, one row per head) ride along with the
 * big ones instead of costing a pass each. The output rows of all parts, end to end, are cut into chunks once, at
 * construction; a chunk may span parts (so a part's remainder is no chunk of its own, and one chunk per thread is
 * one range per thread). Each part writes its own (rows, out) float32 output, as {@link CpuLinear#linear} would.
 */
public final class FusedLinear {
    /** One layer: W (out, in) float32 or bf16 at element offset {@code wOff}, bias float32 or null. */
    public record Part(MemorySegment w, long wOff, boolean bf16, int out, MemorySegment b, long bOff) {}

    private final int in;
    private final Part[] parts;
    /** Chunk c is segments [chunkSeg[c], chunkSeg[c + 1]); a segment is rows [segFrom, segTo) of part segPart. */
    private final int[] chunkSeg, segPart, segFrom, segTo;

    public FusedLinear(int in, List<Part> parts) {
        this.in = in;
        this.parts = parts.toArray(new Part[0]);
        long total = 0;
        boolean bf16 = false;
        for (Part p : parts) {
            total += p.out();
            bf16 |= p.bf16();
        }
        int size = CpuGemv.chunkRows(total, in, bf16 ? 2 : 4);
        List<int[]> segs = new ArrayList<>();
        List<Integer> starts = new ArrayList<>();
        int room = 0; // rows left in the current chunk
        for (int j = 0; j < this.parts.length; j++) {
            int out = this.parts[j].out();
            for (int o = 0; o < out; ) {
                if (room == 0) {
                    starts.add(segs.size());
                    room = size;
                }
                int to = (int) Math.min(out, (long) o + room);
                segs.add(new int[] {j, o, to});
                room -= to - o;
                o = to;
            }
        }
        starts.add(segs.size());
        chunkSeg = starts.stream().mapToInt(Integer::intValue).toArray();
        segPart = segs.stream().mapToInt(x -> x[0]).toArray();
        segFrom = segs.stream().mapToInt(x -> x[1]).toArray();
        segTo = segs.stream().mapToInt(x -> x[2]).toArray();
    }

    /** Chunks of a pass (for tests). */
    int chunks() { return chunkSeg.length - 1; }

    public int parts() { return parts.length; }

    /** ys[j] (rows, out_j) = x (rows, in) · W_jᵀ + b_j, for every part j; x must not overlap any output. */
    public void apply(MemorySegment x, long xOff, int rows, MemorySegment[] ys) {
        if (ys.length != parts.length) throw new IllegalArgumentException(ys.length + " outputs for " + parts.length + " parts");
        if (rows <= 0) return;
        if (KernelMode.scalar()) {
            for (int j = 0; j < parts.length; j++) {
                Part p = parts[j];
                CpuLinear.linear(x, xOff, rows, in, p.w(), p.wOff(), p.bf16(), p.out(), p.b(), p.bOff(), ys[j], 0);
            }
            return;
        }
        ChunkTask t = ParallelTask.take(CHUNKS, ChunkTask::new);
        t.fused = this; t.x = x; t.xOff = xOff; t.rows = rows; t.ys = ys;
        t.forChunks(chunks());
    }

    private static final ThreadLocal<ChunkTask> CHUNKS = new ThreadLocal<>();

    /** {@link #chunk} with its arguments (reused: the per-token path allocates nothing). */
    private static final class ChunkTask extends ParallelTask {
        FusedLinear fused;
        MemorySegment x;
        long xOff;
        int rows;
        MemorySegment[] ys;

        @Override
        public void accept(int c) { fused.chunk(x, xOff, rows, ys, c); }

        @Override
        protected void release() {
            fused = null;
            x = null;
            ys = null;
        }
    }

    private void chunk(MemorySegment x, long xOff, int rows, MemorySegment[] ys, int c) {
        for (int s = chunkSeg[c]; s < chunkSeg[c + 1]; s++) {
            Part p = parts[segPart[s]];
            MemorySegment y = ys[segPart[s]];
            if (rows == 1) {
                CpuGemv.rows(x, xOff, in, p.w(), p.wOff(), p.bf16(), p.b(), p.bOff(), y, 0, segFrom[s], segTo[s]);
            } else {
                CpuLinear.tile(x, xOff, in, p.w(), p.wOff(), p.bf16(), p.out(), p.b(), p.bOff(), y, 0, 0, rows,
                        segFrom[s], segTo[s]);
            }
        }
    }
}
