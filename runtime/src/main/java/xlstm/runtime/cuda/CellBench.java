package xlstm.runtime.cuda;

import java.util.Arrays;
import xlstm.backends.cuda.CuEvent;
import xlstm.backends.cuda.CudaContext;
import xlstm.runtime.backend.DevicePointer;
import xlstm.runtime.backend.ResidentKernels;

/**
 * The generated mLSTM chunkwise kernel alone on the device, timed with CUDA events: random q, k, v and gates
 * (B, NH, S, ·), zero states. What {@code xlstm bench --backend cuda} reports beside the model.
 */
public final class CellBench {
    private CellBench() {}

    /**
     * FLOPs of the chunkwise forward as counted here: per chunk of L steps and (batch, head), Q·Kᵀ (2 L² DQK),
     * W·V (2 L² DV), Q·C (2 L DQK DV) and the state update Kᵀ·V (2 L DQK DV), the full L x L products counted.
     */
    public static double flops(int b, int nh, int s, int dhqk, int dhv, int chunk) {
        double l = Math.min(chunk, s), chunks = Math.ceil(s / l);
        return (double) b * nh * chunks * (2 * l * l * (dhqk + dhv) + 4 * l * dhqk * dhv);
    }

    /**
     * Median milliseconds of one chunkwise forward over {@code repeats} runs, after one warm-up run: the generated
     * {@code mlstm_chunkwise} (a work-group per head) or, {@code tiled}, {@code mlstm_chunkwise_tiled} (per head and
     * 64 value columns).
     */
    public static double chunkwiseMillis(int b, int nh, int s, int dhqk, int dhv, int chunk, int repeats, boolean tiled) {
        try (ResidentKernels gen = ResidentKernels.get()) {
            CudaContext ctx = gen.context();
            GlueKernels glue = new GlueKernels(ctx);
            try (DeviceBuffers mem = new DeviceBuffers(ctx); CuEvent start = ctx.event(); CuEvent end = ctx.event()) {
                long rows = (long) b * nh * s;
                long q = mem.alloc(4 * rows * dhqk), k = mem.alloc(4 * rows * dhqk), v = mem.alloc(4 * rows * dhv);
                long ig = mem.alloc(4 * rows), fg = mem.alloc(4 * rows), h = mem.alloc(4 * rows * dhv);
                long c = mem.zeros(4L * b * nh * dhqk * dhv), n = mem.zeros(4L * b * nh * dhqk), m = mem.zeros(4L * b * nh);
                glue.fillUniform(q, false, rows * dhqk, 1, 1f);
                glue.fillUniform(k, false, rows * dhqk, 2, 1f);
                glue.fillUniform(v, false, rows * dhv, 3, 1f);
                glue.fillUniform(ig, false, rows, 4, 1f);
                glue.fill(fg, rows, 3f);
                long nIn = mem.zeros(4L * b * nh * dhqk), mIn = mem.zeros(4L * b * nh);
                Runnable run = tiled
                        ? () -> gen.launch("mlstm_chunkwise_tiled", b, nh, s, dhqk, dhv, chunk, new DevicePointer(q),
                                new DevicePointer(k), new DevicePointer(v), new DevicePointer(ig), new DevicePointer(fg),
                                new DevicePointer(c), new DevicePointer(n), new DevicePointer(m), new DevicePointer(nIn),
                                new DevicePointer(mIn), new DevicePointer(h), 1e-6f)
                        : () -> gen.launch("mlstm_chunkwise", b, nh, s, dhqk, dhv, chunk, new DevicePointer(q),
                                new DevicePointer(k), new DevicePointer(v), new DevicePointer(ig), new DevicePointer(fg),
                                new DevicePointer(c), new DevicePointer(n), new DevicePointer(m), new DevicePointer(h), 1e-6f);
                run.run();
                ctx.synchronize("chunkwise warm-up");
                double[] ms = new double[Math.max(1, repeats)];
                for (int i = 0; i < ms.length; i++) {
                    start.record();
                    run.run();
                    end.record();
                    ms[i] = end.millisSince(start);
                }
                Arrays.sort(ms);
                return ms[ms.length / 2];
            }
        }
    }
}
