package xlstm.training.loop;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The line of a dotted option ({@code training.lr}) in the text of a YAML or JSON config, so errors can say
 * {@code file:line}. A textual search, key after key, each after the previous one: good for the block and flow
 * styles people write; when a key is not found (a required option that is missing) the deepest one found counts.
 */
final class OptionLines {
    private OptionLines() {}

    /** The 1-based line of {@code dottedOption}, or 0 when not even its first key is in the text. */
    static int find(String text, String dottedOption) {
        int pos = 0, line = 0;
        for (String key : dottedOption.split("\\.")) {
            Matcher m = Pattern.compile("(^|[\\s{,])[\"']?" + Pattern.quote(key) + "[\"']?\\s*:", Pattern.MULTILINE)
                    .matcher(text);
            if (!m.find(pos)) break;
            pos = m.end();
            line = lineOf(text, m.start() + m.group(1).length());
        }
        return line;
    }

    private static int lineOf(String text, int offset) {
        int line = 1;
        for (int i = 0; i < offset; i++) if (text.charAt(i) == '\n') line++;
        return line;
    }
}
