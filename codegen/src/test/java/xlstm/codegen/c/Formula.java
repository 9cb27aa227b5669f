package xlstm.codegen.c;

import java.util.Map;

/**
 * The integer expressions of {@code index.tsv} ({@code count}, {@code scratch}): decimal integers, names, {@code +}, {@code -},
 * {@code *}, {@code /} (truncating), parentheses, evaluated in 64 bits; {@code L} is given by the caller as
 * {@code max(1, min(chunkSize, S))}. A reference implementation of the contract's grammar for the tests (and for
 * drivers to copy).
 */
final class Formula {
    private final String s;
    private final Map<String, Long> vars;
    private int pos;

    private Formula(String s, Map<String, Long> vars) {
        this.s = s.replace(" ", "");
        this.vars = vars;
    }

    static long eval(String text, Map<String, Long> vars) {
        Formula f = new Formula(text, vars);
        long v = f.sum();
        if (f.pos != f.s.length()) throw new IllegalArgumentException("unexpected '" + f.s.substring(f.pos) + "' in " + text);
        return v;
    }

    private long sum() {
        long v = product();
        while (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
            char op = s.charAt(pos++);
            long r = product();
            v = op == '+' ? v + r : v - r;
        }
        return v;
    }

    private long product() {
        long v = atom();
        while (pos < s.length() && (s.charAt(pos) == '*' || s.charAt(pos) == '/')) {
            char op = s.charAt(pos++);
            long r = atom();
            v = op == '*' ? v * r : v / r;
        }
        return v;
    }

    private long atom() {
        if (pos >= s.length()) throw new IllegalArgumentException("truncated formula " + s);
        char c = s.charAt(pos);
        if (c == '(') {
            pos++;
            long v = sum();
            if (pos >= s.length() || s.charAt(pos) != ')') throw new IllegalArgumentException("missing ) in " + s);
            pos++;
            return v;
        }
        int start = pos;
        if (Character.isDigit(c)) {
            while (pos < s.length() && Character.isDigit(s.charAt(pos))) pos++;
            return Long.parseLong(s.substring(start, pos));
        }
        while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_')) pos++;
        String name = s.substring(start, pos);
        Long v = vars.get(name);
        if (v == null) throw new IllegalArgumentException("unknown name '" + name + "' in " + s);
        return v;
    }
}
