package xlstm.runtime.api;

import java.util.Arrays;
import xlstm.runtime.generation.GenerationConfig;
import xlstm.runtime.generation.StopStrings;
import xlstm.runtime.tokenizer.StreamDecoder;
import xlstm.runtime.tokenizer.Tokenizer;

/**
 * What one sequence's generation has produced as its tokens come, for {@link Session} and
 * {@link XlstmModel#generateBatch}: the tokens kept, their text streamed to the listener with stop strings held back,
 * and why and when it ended (the checkpoint's end-of-sequence token, which is not kept; a stop string; the length).
 */
final class GenerationRow {
    private final int row;
    private final GenerateOptions options;
    private final GenerationConfig config;
    private final StreamListener listener;
    private final StreamDecoder decoder;
    private final StopStrings stops;
    private final long start;
    private long[] tokens = new long[16];
    private int count;
    private final StringBuilder text = new StringBuilder();
    private Completion.StopReason reason;
    private long firstNanos = -1, endNanos;

    /** Row {@code row}'s output from {@code start} ({@link System#nanoTime}); no text without a tokenizer. */
    GenerationRow(int row, GenerateOptions options, GenerationConfig config, Tokenizer tokenizer, StreamListener listener,
            long start) {
        this.row = row;
        this.options = options;
        this.config = config;
        this.listener = listener;
        this.decoder = tokenizer == null ? null : tokenizer.streamDecoder();
        this.stops = new StopStrings(options.stop());
        this.start = start;
        if (options.maxNewTokens() == 0) end(Completion.StopReason.LENGTH);
    }

    /** Whether the row has ended; it takes no more tokens then. */
    boolean done() { return reason != null; }

    /** Takes the next chosen token; returns whether that ended the row. */
    boolean accept(int token) {
        if (reason != null) throw new IllegalStateException("row " + row + " has ended");
        if (firstNanos < 0) firstNanos = System.nanoTime() - start;
        if (options.stopAtEos() && config.isEos(token)) {
            end(Completion.StopReason.EOS);
            return true;
        }
        if (count == tokens.length) tokens = Arrays.copyOf(tokens, 2 * count);
        tokens[count++] = token;
        listener.onToken(row, token);
        if (decoder != null) emit(stops.accept(decoder.push(token)));
        if (stops.stopped()) end(Completion.StopReason.STOP_STRING);
        else if (count == options.maxNewTokens()) end(Completion.StopReason.LENGTH);
        return reason != null;
    }

    /** The row's result: {@code promptTokens} fed in {@code prefillNanos} before it. */
    Completion completion(int promptTokens, long prefillNanos) {
        if (reason == null) throw new IllegalStateException("row " + row + " has not ended");
        return new Completion(Arrays.copyOf(tokens, count), text.toString(), reason, promptTokens, prefillNanos,
                firstNanos, endNanos);
    }

    /** Ends the row: what the decoder and the stop strings still hold is shown, unless a stop string came. */
    private void end(Completion.StopReason why) {
        reason = why;
        if (decoder != null && why != Completion.StopReason.STOP_STRING) {
            String rest = stops.accept(decoder.flush());
            emit(rest + (stops.stopped() ? "" : stops.flush()));
            if (stops.stopped()) reason = Completion.StopReason.STOP_STRING;
        }
        endNanos = System.nanoTime() - start;
        if (firstNanos < 0) firstNanos = endNanos;
    }

    private void emit(String piece) {
        if (piece.isEmpty()) return;
        text.append(piece);
        listener.onText(row, piece);
    }
}
