package xlstm.runtime.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import xlstm.backends.cuda.CudaGraph;
import xlstm.backends.cuda.PinnedHost;

/**
 * The recurrent state of B sequences of a {@link DeviceLarge}, on the device: per block C (B, NH, DHQK, DHV), n and
 * m, float32, plus what decoding needs: the next tokens (int64, written by the device's arg-max or draw, or by the host),
 * the soft-capped logits of the last position (B, V), the decode step's activations and, after the first step,
 * the step captured as a CUDA graph. Close it to free the device memory.
 */
public final class DeviceLargeState implements AutoCloseable {
    final int batch;
    final long[] c, n, m;
    /**
     * n and m of every block in one buffer each (n[i], m[i] point into them), and a copy of both that the tiled
     * cell kernels read as the initial n, m while one of their work-groups writes the new ones: one copy per pass
     * instead of two per block.
     */
    final long nAll, mAll, nInAll, mInAll, nBytes, mBytes;
    final long ids, logits;
    final Activations step;
    final DeviceBuffers mem;
    final Arena host = Arena.ofShared();
    /** The arg-max tokens read back ({@code DeviceLarge.tokens}). */
    final MemorySegment hostIds;
    /**
     * Page-locked room for the logits read back ({@code DeviceLarge.logits}), made on the first read and kept: a
     * fresh pageable buffer a read cost a mapping and a staged copy every sampled token.
     */
    PinnedHost hostLogits;
    /** The device's top-k candidates of the last pass ({@code DeviceLarge.topK}): values, ids, and their page-locked copy. */
    long topKVals, topKIds;
    PinnedHost hostTopK;
    /**
     * A device draw's scratch ({@code DeviceLarge.queueDraw}): each row's random number (float64) and the weights of
     * its logits (int64), made on the first draw.
     */
    long uniforms, drawWeights;
    /** Tokens set by the host ({@code DeviceLarge.setTokens}) and draws' numbers, copied in stream order. */
    final HostStaging idsIn;
    CudaGraph graph;
    long graphScratchVersion;
    int steps;

    DeviceLargeState(DeviceBuffers mem, int batch, int blocks, int nh, int dhqk, int dhv, Activations step, int vocab) {
        this.mem = mem;
        this.batch = batch;
        this.step = step;
        c = new long[blocks];
        n = new long[blocks];
        m = new long[blocks];
        nBytes = 4L * batch * nh * dhqk;
        mBytes = 4L * batch * nh;
        nAll = mem.zeros(blocks * nBytes);
        mAll = mem.zeros(blocks * mBytes);
        nInAll = mem.zeros(blocks * nBytes);
        mInAll = mem.zeros(blocks * mBytes);
        for (int i = 0; i < blocks; i++) {
            c[i] = mem.zeros(4L * batch * nh * dhqk * dhv);
            n[i] = nAll + i * nBytes;
            m[i] = mAll + i * mBytes;
        }
        ids = mem.zeros(8L * batch);
        logits = mem.zeros(4L * batch * vocab);
        hostIds = host.allocate(8L * batch, 8);
        idsIn = new HostStaging(mem.context());
    }

    public int batch() { return batch; }

    /** Device bytes held (states, step activations, logits). */
    public long deviceBytes() { return mem.bytes(); }

    @Override
    public void close() {
        mem.synchronize(); // the graph and the buffers may still be in use by queued work
        if (graph != null) graph.close();
        graph = null;
        idsIn.close();
        if (hostLogits != null) hostLogits.close();
        if (hostTopK != null) hostTopK.close();
        mem.close();
        host.close();
    }
}
