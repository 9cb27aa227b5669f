package xlstm.runtime.api;

import xlstm.backends.Flags;

/**
 * How generation on a GPU chooses tokens, from the {@code -D} flags (each true by default; {@code docs/flags.md}):
 * what is read back a token and whether steps are queued ahead of the host. Read when a model is loaded, so a bad
 * value is refused before minutes of loading.
 *
 * @param greedyOnDevice {@code xlstm.cuda.greedyOnDevice}: greedy decoding reads the device's arg-max, not the logits
 * @param drawOnDevice   {@code xlstm.cuda.drawOnDevice}: sampling without a repetition penalty reads the token the
 *                       device draws with the host sampler's random number, not the logits
 * @param topKOnDevice   {@code xlstm.cuda.topKOnDevice}: where the device does not draw, top-k sampling reads the
 *                       device's k candidates, not the logits
 * @param pipeline       {@code xlstm.cuda.pipeline}: one-shot generation whose tokens the device chooses queues steps
 *                       ahead of the host ({@code xlstm.runtime.cuda.DecodePipeline})
 */
record DeviceChoices(boolean greedyOnDevice, boolean drawOnDevice, boolean topKOnDevice, boolean pipeline) {
    static DeviceChoices fromFlags() {
        Flags.renamed("xlstm.cuda.greedyPipeline", "xlstm.cuda.pipeline"); // since it covers draws too (2026-11-29)
        return new DeviceChoices(Flags.boolFlag("xlstm.cuda.greedyOnDevice", true),
                Flags.boolFlag("xlstm.cuda.drawOnDevice", true), Flags.boolFlag("xlstm.cuda.topKOnDevice", true),
                Flags.boolFlag("xlstm.cuda.pipeline", true));
    }
}
