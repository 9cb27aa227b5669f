package xlstm.runtime.tokenizer;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import xlstm.runtime.UserError;

/**
 * Strict text checks for what goes into the tokenizer: bytes must be well-formed UTF-8 and strings must be
 * well-formed UTF-16 (no unpaired surrogate, which has no UTF-8 form). A problem is a {@link UserError} naming
 * {@code what} (e.g. "--prompt-file p.txt") and the offset at fault.
 */
public final class Utf8 {
    private Utf8() {}

    /** Decodes {@code bytes} as UTF-8, rejecting malformed input (no silent U+FFFD replacement). */
    public static String decode(byte[] bytes, String what) {
        CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            return dec.decode(in).toString();
        } catch (MalformedInputException e) {
            int at = in.position();
            throw new UserError(what + " is not valid UTF-8: malformed byte" + (e.getInputLength() == 1 ? "" : "s")
                    + " " + hex(bytes, at, e.getInputLength()) + " at byte offset " + at);
        } catch (CharacterCodingException e) {
            throw new UserError(what + " is not valid UTF-8 (" + e.getMessage() + ")");
        }
    }

    /**
     * Checks that {@code text} can be encoded as UTF-8: no unpaired surrogate; and, with {@code rejectReplacement},
     * no U+FFFD, the character the JVM puts where command-line bytes were not valid UTF-8.
     */
    public static String check(String text, String what, boolean rejectReplacement) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                    continue;
                }
                throw new UserError(what + " is not valid Unicode: unpaired surrogate U+"
                        + Integer.toHexString(c).toUpperCase() + " at character " + i);
            }
            if (Character.isLowSurrogate(c)) {
                throw new UserError(what + " is not valid Unicode: unpaired surrogate U+"
                        + Integer.toHexString(c).toUpperCase() + " at character " + i);
            }
            if (rejectReplacement && c == '\uFFFD') {
                throw new UserError(what + " is not valid UTF-8: the bytes at character " + i
                        + " were replaced by U+FFFD when the command line was decoded; pass UTF-8 text");
            }
        }
        return text;
    }

    private static String hex(byte[] b, int at, int len) {
        StringBuilder sb = new StringBuilder();
        for (int i = at; i < Math.min(b.length, at + Math.max(1, len)); i++) {
            if (!sb.isEmpty()) sb.append(' ');
            sb.append(String.format("0x%02x", b[i] & 0xff));
        }
        return sb.toString();
    }
}
