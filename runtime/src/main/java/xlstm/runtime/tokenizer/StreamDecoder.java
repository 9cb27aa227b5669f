package xlstm.runtime.tokenizer;

import java.util.Arrays;

/**
 * Turns a stream of token ids into a stream of text pieces: {@link #push} returns the new text once it is
 * complete. A character whose UTF-8 bytes are spread over several tokens (common for emoji and CJK with
 * byte-level BPE) is held back until its last byte arrives, so a piece never ends in half a character; decoders
 * that change a token's text by context (a leading space) are handled by decoding a short window of earlier
 * tokens along with the new ones, as text-generation servers do. {@link #flush()} returns whatever is left (with
 * U+FFFD for bytes that never formed a character).
 */
public final class StreamDecoder {
    private final Tokenizer tokenizer;
    private final boolean skipSpecial;
    private long[] ids = new long[16];
    private int size, prefixOffset, readOffset;

    StreamDecoder(Tokenizer tokenizer, boolean skipSpecial) {
        this.tokenizer = tokenizer;
        this.skipSpecial = skipSpecial;
    }

    /** Adds one token; returns the text it completes (often empty while a character is incomplete). */
    public String push(long id) {
        if (size == ids.length) ids = Arrays.copyOf(ids, size * 2);
        ids[size++] = id;
        String prefix = tokenizer.decode(Arrays.copyOfRange(ids, prefixOffset, readOffset), skipSpecial);
        String full = tokenizer.decode(Arrays.copyOfRange(ids, prefixOffset, size), skipSpecial);
        if (full.length() > prefix.length() && !full.endsWith("\uFFFD")) {
            String delta = full.startsWith(prefix) ? full.substring(prefix.length()) : suffixAfterCommonPrefix(prefix, full);
            prefixOffset = readOffset;
            readOffset = size;
            compact();
            return delta;
        }
        return "";
    }

    /** The text not yet returned (incomplete characters as U+FFFD); the decoder then starts afresh. */
    public String flush() {
        String prefix = tokenizer.decode(Arrays.copyOfRange(ids, prefixOffset, readOffset), skipSpecial);
        String full = tokenizer.decode(Arrays.copyOfRange(ids, prefixOffset, size), skipSpecial);
        String rest = full.startsWith(prefix) ? full.substring(prefix.length()) : suffixAfterCommonPrefix(prefix, full);
        size = prefixOffset = readOffset = 0;
        return rest;
    }

    private static String suffixAfterCommonPrefix(String a, String b) {
        int i = 0;
        while (i < a.length() && i < b.length() && a.charAt(i) == b.charAt(i)) i++;
        return b.substring(i);
    }

    /** Drops ids before the window so the buffer stays small in long generations. */
    private void compact() {
        if (prefixOffset > 64) {
            System.arraycopy(ids, prefixOffset, ids, 0, size - prefixOffset);
            size -= prefixOffset;
            readOffset -= prefixOffset;
            prefixOffset = 0;
        }
    }
}
