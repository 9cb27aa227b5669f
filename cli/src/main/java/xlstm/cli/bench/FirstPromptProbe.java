package xlstm.cli.bench;

import java.util.Locale;
import xlstm.backends.cuda.Cublas;
import xlstm.runtime.cuda.DeviceLarge;
import xlstm.runtime.cuda.DeviceLargeState;

/**
 * Where the first prompt of a process spends its time on the GPU (a probe, not a test; needs a CUDA GPU): the
 * 7B-shaped model with random bf16 weights, a second cuBLAS handle's first products (33 and 64 rows), then four
 * rounds of a 33-token prefill and two decode steps on a new state each, each timed on the host until queued and
 * until done. Run on the GPU machine after {@code source scripts/gpu-env.sh}:
 * {@code "${java[@]}" xlstm.cli.bench.FirstPromptProbe}. Results: README, section "Generation end to end on the H200".
 */
public final class FirstPromptProbe {
    private FirstPromptProbe() {}

    public static void main(String[] args) {
        long t0 = System.nanoTime();
        try (DeviceLarge m = DeviceLarge.random(DeviceBench.shape7b(), true, 7)) {
            System.out.printf(Locale.ROOT, "model ready %.0f ms%n", ms(t0));
            var ctx = m.context();
            try (Cublas blas = Cublas.on(ctx); var w = ctx.buffer(2L * 12304 * 4096); var x = ctx.buffer(2L * 64 * 4096);
                 var y = ctx.buffer(4L * 64 * 12304)) {
                for (int r = 0; r < 3; r++) {
                    for (int tokens : new int[] {33, 64}) {
                        long t = System.nanoTime();
                        blas.linear(x.pointer(), w.pointer(), Cublas.R_16BF, y.pointer(), tokens, 4096, 12304, false, false);
                        double queued = ms(t);
                        ctx.synchronize("probe product");
                        System.out.printf(Locale.ROOT, "a second cuBLAS handle, product %d x 4096 -> 12304, call %d: %.1f ms"
                                + " (queued in %.1f)%n", tokens, r + 1, ms(t), queued);
                    }
                }
            }
            long[][] prompt = new long[1][33];
            for (int j = 0; j < 33; j++) prompt[0][j] = 100 + 37 * j;
            for (int r = 0; r < 4; r++) {
                try (DeviceLargeState st = m.newState(1)) {
                    long t = System.nanoTime();
                    m.prefill(prompt, st);
                    double queued = ms(t);
                    m.synchronize();
                    double prefill = ms(t);
                    t = System.nanoTime();
                    m.step(st);
                    double stepQueued = ms(t);
                    m.synchronize();
                    double step = ms(t);
                    t = System.nanoTime();
                    m.step(st);
                    m.synchronize();
                    System.out.printf(Locale.ROOT, "round %d: prefill 33 tokens %.1f ms (queued in %.1f); first step %.1f ms"
                            + " (queued in %.1f); next step %.1f ms%n", r + 1, prefill, queued, step, stepQueued, ms(t));
                }
            }
        }
    }

    private static double ms(long t0) { return (System.nanoTime() - t0) / 1e6; }
}
