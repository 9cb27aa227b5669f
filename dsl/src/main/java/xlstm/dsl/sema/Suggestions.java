package xlstm.dsl.sema;

import java.util.Collection;
import java.util.Comparator;

/** "did you mean" hints for misspelt names and functions. */
final class Suggestions {
    private Suggestions() {}

    /**
     * {@code "; did you mean 'x'?"} for the closest candidate, else an empty string. A candidate must be within two
     * edits and share part of the name (replacing a one-letter name by another is no hint).
     */
    static String didYouMean(String name, Collection<String> candidates) {
        int maxEdits = Math.min(2, Math.max(1, name.length() / 3));
        return candidates.stream()
                .filter(c -> !c.equals(name))
                .filter(c -> distance(name, c) <= maxEdits && distance(name, c) < name.length())
                .min(Comparator.comparingInt((String c) -> distance(name, c)).thenComparing(c -> c))
                .map(c -> "; did you mean '" + c + "'?")
                .orElse("");
    }

    /** Levenshtein distance. */
    static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) previous[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
