package xlstm.runtime.api;

import java.util.Locale;

/**
 * The result of one generation for one sequence.
 *
 * @param tokens           the new token ids (not the prompt; without the EOS that ended it)
 * @param text             their text (empty without a tokenizer), cut before a stop string
 * @param reason           why it ended
 * @param promptTokens     tokens fed before generating (prompt and BOS; for a later turn of a session, that turn's)
 * @param prefillNanos     time to feed them
 * @param firstTokenNanos  time from the start of the prefill to the first new token (time to first token)
 * @param totalNanos       time from the start of the prefill to the end
 */
public record Completion(long[] tokens, String text, StopReason reason, int promptTokens, long prefillNanos,
                         long firstTokenNanos, long totalNanos) {
    /** Why a generation ended. */
    public enum StopReason {
        /** An end-of-sequence token of the checkpoint's generation config. */
        EOS,
        /** One of the stop strings appeared. */
        STOP_STRING,
        /** The maximum number of new tokens was reached. */
        LENGTH
    }

    /** Decoding speed: new tokens after the first, per second of the time after the first (0 with fewer than 2). */
    public double decodeTokensPerSecond() {
        long after = totalNanos - firstTokenNanos;
        return tokens.length > 1 && after > 0 ? (tokens.length - 1) / (after / 1e9) : 0;
    }

    /** Prompt processing speed in tokens per second. */
    public double prefillTokensPerSecond() {
        return promptTokens > 0 && prefillNanos > 0 ? promptTokens / (prefillNanos / 1e9) : 0;
    }

    /** One line: prompt tokens and speed, time to first token, new tokens and speed. */
    public String summary() {
        return String.format(Locale.ROOT,
                "prompt %d tokens in %.2f s (%.1f tokens/s); first token after %.2f s; %d new tokens in %.2f s"
                        + " (%.2f tokens/s after the first); stop: %s",
                promptTokens, prefillNanos / 1e9, prefillTokensPerSecond(), firstTokenNanos / 1e9, tokens.length,
                totalNanos / 1e9, decodeTokensPerSecond(), reason.name().toLowerCase(Locale.ROOT));
    }
}
