package xlstm.runtime.cuda;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import xlstm.backends.DType;
import xlstm.backends.cuda.CuBuffer;
import xlstm.backends.cuda.CuEvent;
import xlstm.backends.cuda.CudaContext;
import xlstm.runtime.backend.JavaKernels;
import xlstm.runtime.hf.HfCheckpoint;
import xlstm.runtime.model.LargeState;
import xlstm.runtime.model.XlstmLarge;
import xlstm.runtime.tensor.Tensor;

/**
 * The device-resident model against the CPU model on the same checkpoint (float32 on the CPU): a 2-row prompt of
 * 100 tokens (crossing chunk boundaries) and its first row alone with 4 teacher-forced steps of that row, then 8
 * teacher-forced decode steps of both rows (the first launch by launch, the rest as the CUDA graph), then greedy
 * generation. With float32 weights on the GPU the logits must agree to
 * 2e-4 of their largest magnitude and greedy tokens must be equal (with the cell kernels the model picks, and with the
 * untiled chunkwise kernel forced for prompts and steps); with bf16 weights (activations rounded to bf16 before each
 * product and the prompt's cell on bf16 tensor cores, as PyTorch's bf16 model does) to {@link #BF16_TOLERANCE}, and
 * the greedy tokens are reported, not required.
 *
 * <p>{@code java ... xlstm.runtime.cuda.DeviceLargeCheck CHECKPOINT_DIR...}; exit 1 when a check fails.
 */
public final class DeviceLargeCheck {
    private DeviceLargeCheck() {}

    /**
     * bf16 against the float32 CPU model: PyTorch's own bf16 model drifts from its float32 one by up to 8.7e-2
     * (models/moby-dick) and 6.8e-2 (hf_xlstm_small) on 2 x 100-token prompts (scripts/torch_bf16_drift.py, H200,
     * 2026-11-28), so 7e-2 asks no more than that peer does; ours measured 0.75e-2 and 5.8e-2 that day. (It was
     * 5e-2 until the prompt's cell moved to bf16 tensor cores, which took hf_xlstm_small from 3.4e-2 to 5.8e-2.)
     */
    static final double BF16_TOLERANCE = 7e-2;

    public static void main(String[] args) {
        boolean ok = true;
        for (String a : args) ok &= check(Path.of(a));
        System.exit(ok ? 0 : 1);
    }

    /** Every check on the HF checkpoint folder {@code dir}, printed a line each; whether all passed. */
    public static boolean check(Path dir) {
        XlstmLarge cpu = HfCheckpoint.load(dir, DType.F32, JavaKernels.INSTANCE);
        int v = cpu.config().vocabSize(), b = 2, s = 100;
        SplittableRandom rnd = new SplittableRandom(11);
        long[][] prompt = new long[b][s];
        long[] flat = new long[b * s];
        for (int r = 0; r < b; r++) for (int j = 0; j < s; j++) flat[r * s + j] = prompt[r][j] = rnd.nextInt(v);
        boolean ok = true;
        // float32 with the cell kernel chosen by batch x heads, and with the plain (untiled) one forced; then bf16
        for (int mode = 0; mode < 3; mode++) {
            boolean bf16 = mode == 2, plain = mode == 1;
            double tol = bf16 ? BF16_TOLERANCE : 2e-4;
            String tag = dir.getFileName() + " " + (bf16 ? "bf16" : plain ? "f32 (untiled chunkwise cell)" : "f32 ");
            try (DeviceLarge dev = DeviceLarge.upload(cpu, bf16); DeviceLargeState st = dev.newState(b)) {
                if (plain) {
                    dev.tiledBelow(0);
                    dev.stepTiled(false);
                }
                LargeState ref = cpu.newState(b);
                float[] want = cpu.forwardLast(Tensor.ofLongs(flat, b, s), ref).toFloatArray();
                dev.prefill(prompt, st);
                ok &= report(tag + " prefill " + b + "x" + s, want, dev.logits(st), tol);
                // one row takes its own paths: the prompt's i and f gates as one product, and with bf16 weights the
                // steps' fused GEMVs (norms, output gate and SwiGLU inside the products)
                try (DeviceLargeState one = dev.newState(1)) {
                    LargeState ref1 = cpu.newState(1);
                    float[] want1 = cpu.forwardLast(Tensor.ofLongs(prompt[0], 1, s), ref1).toFloatArray();
                    dev.prefill(new long[][] {prompt[0]}, one);
                    ok &= report(tag + " prefill 1x" + s, want1, dev.logits(one), tol);
                    for (int step = 0; step < 4; step++) {
                        long[] id = {rnd.nextInt(v)};
                        float[] w1 = cpu.step(id, ref1).toFloatArray();
                        dev.setTokens(one, id);
                        dev.step(one);
                        ok &= report(tag + " 1-row step " + step + (step == 0 ? " (launches)" : " (graph)  "), w1,
                                dev.logits(one), tol);
                    }
                }
                for (int step = 0; step < 8; step++) {
                    long[] ids = {rnd.nextInt(v), rnd.nextInt(v)};
                    float[] w = cpu.step(ids, ref).toFloatArray();
                    dev.setTokens(st, ids);
                    dev.step(st);
                    ok &= report(tag + " step " + step + (step == 0 ? " (launches)" : " (graph)  "), w, dev.logits(st), tol);
                }
                if (mode == 0) ok &= queuedWhileBusy(cpu, dev, prompt, tag, tol);
                long[][] prefix = {Arrays.copyOf(prompt[0], 40)};
                long[] g1 = cpu.generateGreedy(prefix, 24)[0], g2 = dev.generateGreedy(prefix, 24)[0];
                int same = 0;
                while (same < g1.length && g1[same] == g2[same]) same++;
                boolean equal = same == g1.length;
                System.out.printf(Locale.ROOT, "%s greedy 24 tokens: %s (first %d equal)%s%n", tag,
                        equal ? "identical" : "differ", same, bf16 || equal ? "" : "  FAIL");
                if (!bf16) ok &= equal;
            }
        }
        return ok;
    }

    /**
     * Host-set token ids must reach the device in stream order: with the stream kept busy by large copies, two
     * one-row prefills of different prompts into two states, then two steps of the first with tokens set between,
     * are all queued before the device starts on them; each must see its own ids. (A blocking copy of the ids, which
     * does not wait for our non-blocking stream, gave the first prefill the second one's prompt.) Fails too when the
     * copies did not keep the stream busy for longer than the queueing took, since then nothing was tested.
     */
    private static boolean queuedWhileBusy(XlstmLarge cpu, DeviceLarge dev, long[][] prompt, String tag, double tol) {
        int v = cpu.config().vocabSize(), s = prompt[0].length;
        SplittableRandom rnd = new SplittableRandom(12); // its own: the other checks' tokens stay as they were
        LargeState refA = cpu.newState(1), refB = cpu.newState(1);
        float[] wantA = cpu.forwardLast(Tensor.ofLongs(prompt[0], 1, s), refA).toFloatArray();
        float[] wantB = cpu.forwardLast(Tensor.ofLongs(prompt[1], 1, s), refB).toFloatArray();
        long[] id1 = {rnd.nextInt(v)}, id2 = {rnd.nextInt(v)};
        cpu.step(id1, refA);
        float[] wantSteps = cpu.step(id2, refA).toFloatArray();
        CudaContext ctx = dev.context();
        long chunk = 1L << 30;
        try (DeviceLargeState a = dev.newState(1); DeviceLargeState b = dev.newState(1);
             CuBuffer from = ctx.buffer(chunk); CuBuffer to = ctx.buffer(chunk);
             CuEvent busyStart = ctx.event(); CuEvent busyEnd = ctx.event()) {
            float[] gotA, gotB;
            ctx.synchronize("before the busy stream");
            long t0 = System.nanoTime();
            busyStart.record();
            for (int c = 0; c < 64; c++) ctx.copyAsync(to.pointer(), from.pointer(), chunk);
            busyEnd.record();
            dev.prefill(new long[][] {prompt[0]}, a);
            dev.prefill(new long[][] {prompt[1]}, b);
            double queuedMs = (System.nanoTime() - t0) / 1e6;
            double busyMs = busyEnd.millisSince(busyStart);
            gotA = dev.logits(a);
            gotB = dev.logits(b);
            t0 = System.nanoTime();
            busyStart.record();
            for (int c = 0; c < 64; c++) ctx.copyAsync(to.pointer(), from.pointer(), chunk);
            busyEnd.record();
            dev.setTokens(a, id1);
            dev.step(a); // launch by launch
            dev.setTokens(a, id2);
            dev.step(a); // captured as the graph, then launched
            double queuedStepMs = (System.nanoTime() - t0) / 1e6;
            double busyStepMs = busyEnd.millisSince(busyStart);
            float[] gotSteps = dev.logits(a); // after id1 then id2: either one taken in the other's place changes them
            boolean busy = queuedMs < busyMs && queuedStepMs < busyStepMs;
            System.out.printf(Locale.ROOT, "%s queued while busy: stream busy %.1f / %.1f ms, queueing took %.1f / %.1f ms%s%n",
                    tag, busyMs, busyStepMs, queuedMs, queuedStepMs, busy ? "" : "  FAIL (the stream was not busy long enough)");
            boolean ok = busy;
            ok &= report(tag + " queued while busy: prefill A", wantA, gotA, tol);
            ok &= report(tag + " queued while busy: prefill B", wantB, gotB, tol);
            ok &= report(tag + " queued while busy: 2 steps, tokens set before each", wantSteps, gotSteps, tol);
            return ok;
        }
    }

    private static boolean report(String what, float[] want, float[] got, double tol) {
        double maxRef = 0, maxErr = 0;
        for (int i = 0; i < want.length; i++) {
            maxRef = Math.max(maxRef, Math.abs(want[i]));
            maxErr = Math.max(maxErr, Math.abs(want[i] - got[i]));
        }
        boolean pass = want.length == got.length && maxErr <= tol * maxRef;
        System.out.printf(Locale.ROOT, "%s: max err %.3g of max |ref| %.3g (rel %.2g, tol %.0g)%s%n", what, maxErr,
                maxRef, maxErr / maxRef, tol, pass ? "" : "  FAIL");
        return pass;
    }
}
