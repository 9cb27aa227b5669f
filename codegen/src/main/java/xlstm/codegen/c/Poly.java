package xlstm.codegen.c;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * A size in floats as a polynomial with non-negative integer coefficients over the names of a call ({@code B, NH,
 * S, rows}, dims, {@code L}): the scratch sizes of the index and of the kernels' offset arithmetic, rendered for
 * both from one value (so the two cannot disagree).
 */
final class Poly {
    /** monomial (sorted factor names, joined by '*'; "" for the constant) -> coefficient */
    private final Map<String, Long> terms = new TreeMap<>();

    static final Poly ZERO = new Poly();

    static Poly of(long c) {
        Poly p = new Poly();
        if (c != 0) p.terms.put("", c);
        return p;
    }

    /** A product of names, e.g. {@code of("DQK", "DV")}. */
    static Poly of(String... names) {
        Poly p = new Poly();
        List<String> f = new ArrayList<>(List.of(names));
        Collections.sort(f);
        p.terms.put(String.join("*", f), 1L);
        return p;
    }

    Poly plus(Poly o) {
        Poly p = copy();
        o.terms.forEach((k, v) -> p.terms.merge(k, v, Long::sum));
        return p;
    }

    Poly times(Poly o) {
        Poly p = new Poly();
        for (var a : terms.entrySet())
            for (var b : o.terms.entrySet()) {
                List<String> f = new ArrayList<>();
                if (!a.getKey().isEmpty()) f.addAll(List.of(a.getKey().split("\\*")));
                if (!b.getKey().isEmpty()) f.addAll(List.of(b.getKey().split("\\*")));
                Collections.sort(f);
                p.terms.merge(String.join("*", f), a.getValue() * b.getValue(), Long::sum);
            }
        return p;
    }

    Poly times(long c) { return times(of(c)); }

    boolean isZero() { return terms.isEmpty(); }

    private Poly copy() {
        Poly p = new Poly();
        p.terms.putAll(terms);
        return p;
    }

    /** The formula of the index grammar, e.g. {@code 2*DQK*L+DV*L}; {@code 0} when empty. */
    @Override public String toString() { return render(n -> n, ""); }

    /**
     * C text: names mapped by {@code name}, every product evaluated in {@code longType} (the cast is put on the
     * first factor so that no product overflows int).
     */
    String c(UnaryOperator<String> name, String longType) { return render(name, "(" + longType + ")"); }

    private String render(UnaryOperator<String> name, String cast) {
        if (terms.isEmpty()) return "0";
        StringBuilder sb = new StringBuilder();
        for (var t : terms.entrySet()) {
            if (!sb.isEmpty()) sb.append('+');
            List<String> f = new ArrayList<>();
            if (t.getValue() != 1 || t.getKey().isEmpty()) f.add(Long.toString(t.getValue()));
            if (!t.getKey().isEmpty()) for (String n : t.getKey().split("\\*")) f.add(name.apply(n));
            sb.append(cast).append(String.join("*", f));
        }
        return sb.toString();
    }

    @Override public boolean equals(Object o) { return o instanceof Poly p && p.terms.equals(terms); }

    @Override public int hashCode() { return terms.hashCode(); }
}
