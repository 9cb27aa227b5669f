package xlstm.runtime.api;

import xlstm.runtime.cuda.DeviceLarge;
import xlstm.runtime.cuda.DeviceLargeState;
import xlstm.runtime.generation.SamplingParams;

/**
 * What a pass of the model leaves for choosing the next tokens: the logits after each row's last token and, on a GPU,
 * the arg-max token the pass computed there. On a GPU nothing is read back until asked, so greedy decoding reads
 * 8 bytes a row ({@link #greedyTokens}) instead of the logits (200 KB a row at the 7B vocabulary). Valid until the
 * state's next pass.
 */
final class PassOutput {
    private final DeviceLarge device;
    private final DeviceLargeState state;
    private float[] logits;
    private DeviceLarge.TopK topK;

    private PassOutput(DeviceLarge device, DeviceLargeState state, float[] logits) {
        this.device = device;
        this.state = state;
        this.logits = logits;
    }

    /** Logits computed on the CPU, (B, V) row-major. */
    static PassOutput ofLogits(float[] logits) { return new PassOutput(null, null, logits); }

    /** The output of a pass queued on {@code device} for {@code state}. */
    static PassOutput onDevice(DeviceLarge device, DeviceLargeState state) { return new PassOutput(device, state, null); }

    /** The logits, (B, V) row-major; read from the device once (the caller may modify the array). */
    float[] logits() {
        if (logits == null) logits = device.logits(state);
        return logits;
    }

    /**
     * Each row's {@code k} largest logits among the tokenizer's ids and their ids, unordered, as the device computed
     * them (read once per k). Only for an output on the device.
     */
    DeviceLarge.TopK topK(int k) {
        if (device == null) throw new IllegalStateException("the top-k candidates are read from the device only");
        if (topK == null || topK.k() != k) topK = device.topK(state, k);
        return topK;
    }

    /**
     * Each row's token drawn on the device with {@code p} and the row's number ({@link DeviceLarge#draw}); it becomes
     * the token the state's next step embeds. Only for an output on the device.
     */
    long[] drawnTokens(SamplingParams p, double[] uniforms) {
        if (device == null) throw new IllegalStateException("only the device draws tokens");
        return device.draw(state, p, uniforms);
    }

    /**
     * Each row's arg-max over the tokenizer's ids, as the device computed it (torch.argmax's rule: the first
     * maximum, a NaN counting as the largest). Only for an output on the device.
     */
    long[] greedyTokens() {
        if (device == null) throw new IllegalStateException("the arg-max is read from the device only");
        return device.tokens(state);
    }
}
