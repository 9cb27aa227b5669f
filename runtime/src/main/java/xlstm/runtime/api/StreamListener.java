package xlstm.runtime.api;

import java.util.function.Consumer;

/**
 * Receives a generation as it happens: each token id as it is chosen and each piece of text once it is complete
 * (a character split over several tokens arrives whole; text that may start a stop string is held back until it
 * is clear). Pieces concatenate to {@link Completion#text()}. Called on the generating thread.
 */
public interface StreamListener {
    /** No callbacks. */
    StreamListener NONE = new StreamListener() {};

    /** A token was chosen (row 0 for a single sequence). Not called for the EOS token that ends a sequence. */
    default void onToken(int row, int tokenId) {}

    /** New text of {@code row} (row 0 for a single sequence). */
    default void onText(int row, String piece) {}

    /** Only the text, e.g. {@code StreamListener.text(System.out::print)}. */
    static StreamListener text(Consumer<String> sink) {
        return new StreamListener() {
            @Override public void onText(int row, String piece) { sink.accept(piece); }
        };
    }
}
