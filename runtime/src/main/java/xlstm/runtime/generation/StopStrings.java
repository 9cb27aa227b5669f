package xlstm.runtime.generation;

import java.util.List;

/**
 * Stop strings on streamed text: {@link #accept} returns the part of the new text that is safe to show (text that
 * could be the start of a stop string is held back until it is clear), and once a stop string appears, everything
 * before it and {@link #stopped()} true. The stop string itself is not shown.
 */
public final class StopStrings {
    private final List<String> stops;
    private final StringBuilder pending = new StringBuilder();
    private String matched;

    public StopStrings(List<String> stops) {
        this.stops = stops == null ? List.of() : stops.stream().filter(s -> !s.isEmpty()).toList();
    }

    /** Adds generated text; returns what can be shown now. */
    public String accept(String piece) {
        if (matched != null) return "";
        if (stops.isEmpty()) return piece;
        pending.append(piece);
        int best = -1;
        for (String s : stops) {
            int i = pending.indexOf(s);
            if (i >= 0 && (best < 0 || i < best)) {
                best = i;
                matched = s;
            }
        }
        if (best >= 0) {
            String out = pending.substring(0, best);
            pending.setLength(0);
            return out;
        }
        int hold = 0;
        for (String s : stops) {
            for (int k = Math.min(s.length() - 1, pending.length()); k > hold; k--) {
                if (pending.length() >= k && pending.substring(pending.length() - k).equals(s.substring(0, k))) {
                    hold = k;
                    break;
                }
            }
        }
        String out = pending.substring(0, pending.length() - hold);
        pending.delete(0, pending.length() - hold);
        return out;
    }

    /** The text held back at the end of generation (no stop string came). */
    public String flush() {
        String out = pending.toString();
        pending.setLength(0);
        return out;
    }

    public boolean stopped() { return matched != null; }

    /** The stop string that ended generation, or null. */
    public String matched() { return matched; }
}
