package xlstm.runtime.backend;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code index.tsv} of a C-family target's kernel sources on the classpath (docs/glue-contract.md, "C-family
 * kernels"): per entry point its file, launch kind, work-item count and scratch size (integer expressions over the
 * call's int arguments and {@code L}), and its C parameter list.
 */
final class KernelIndex {
    /** One parameter of a kernel's C signature. */
    record Param(String type, String name) {
        boolean pointer() { return type.contains("*"); }

        /** A pointer the kernel writes (state or output): copied back after the launch. */
        boolean written() { return pointer() && !type.contains("const"); }
    }

    /** One kernel of the index. */
    record Entry(String entry, String file, String unit, String schedule, String launch, String count, String scratch,
            List<Param> params) {}

    private final String folder;
    private final Map<String, Entry> entries;

    private KernelIndex(String folder, Map<String, Entry> entries) {
        this.folder = folder;
        this.entries = entries;
    }

    /** Reads {@code <folder>/index.tsv} (e.g. {@code xlstm/generated/opencl}); null when the resource is missing. */
    static KernelIndex load(String folder) {
        String text = resource(folder + "/index.tsv");
        if (text == null) return null;
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            line = line.stripTrailing();
            if (line.isBlank() || line.startsWith("#")) continue;
            String[] f = line.split("\t", -1);
            if (f.length < 8) throw new IllegalStateException(folder + "/index.tsv: malformed line: " + line);
            entries.put(f[0], new Entry(f[0], f[1], f[2], f[3], f[4], f[5], f[6], params(f[7])));
        }
        return new KernelIndex(folder, Map.copyOf(entries));
    }

    String folder() { return folder; }

    int size() { return entries.size(); }

    Entry get(String entry) { return entries.get(entry); }

    /** The source text of {@code file} in this index's folder. */
    String source(Entry e) {
        String s = resource(folder + "/" + e.file());
        if (s == null) throw new IllegalStateException(folder + "/" + e.file() + " is listed in index.tsv but missing");
        return s;
    }

    private static List<Param> params(String signature) {
        List<Param> out = new ArrayList<>();
        for (String p : signature.split(",")) {
            String t = p.strip();
            if (t.isEmpty()) continue;
            int cut = Math.max(t.lastIndexOf(' '), t.lastIndexOf('*'));
            out.add(new Param(t.substring(0, cut + 1).strip(), t.substring(cut + 1).strip()));
        }
        return List.copyOf(out);
    }

    static String resource(String path) {
        ClassLoader cl = KernelIndex.class.getClassLoader();
        try (InputStream in = cl.getResourceAsStream(path)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read resource " + path + ": " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ count / scratch expressions

    /** Evaluates an index expression ({@code B*NH*(L*(2*DQK+DV+L+7))}) with {@code vars}, in 64-bit. */
    static long eval(String expr, Map<String, Long> vars) {
        Parser p = new Parser(expr, vars);
        long v = p.sum();
        if (p.pos != p.s.length()) throw p.error("unexpected '" + p.s.charAt(p.pos) + "'");
        return v;
    }

    private static final class Parser {
        final String s;
        final Map<String, Long> vars;
        int pos;

        Parser(String s, Map<String, Long> vars) {
            this.s = s.replace(" ", "");
            this.vars = vars;
        }

        long sum() {
            long v = product();
            while (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
                char op = s.charAt(pos++);
                long r = product();
                v = op == '+' ? Math.addExact(v, r) : Math.subtractExact(v, r);
            }
            return v;
        }

        long product() {
            long v = atom();
            while (pos < s.length() && (s.charAt(pos) == '*' || s.charAt(pos) == '/')) {
                char op = s.charAt(pos++);
                long r = atom();
                if (op == '*') v = Math.multiplyExact(v, r);
                else if (r == 0) throw error("division by zero");
                else v = v / r;
            }
            return v;
        }

        long atom() {
            if (pos >= s.length()) throw error("unexpected end");
            char c = s.charAt(pos);
            if (c == '(') {
                pos++;
                long v = sum();
                if (pos >= s.length() || s.charAt(pos) != ')') throw error("missing ')'");
                pos++;
                return v;
            }
            int start = pos;
            if (Character.isDigit(c)) {
                while (pos < s.length() && Character.isDigit(s.charAt(pos))) pos++;
                return Long.parseLong(s.substring(start, pos));
            }
            if (Character.isLetter(c) || c == '_') {
                while (pos < s.length() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_')) pos++;
                String name = s.substring(start, pos);
                Long v = vars.get(name);
                if (v == null) throw error("unknown name '" + name + "'");
                return v;
            }
            throw error("unexpected '" + c + "'");
        }

        IllegalStateException error(String what) {
            return new IllegalStateException("index expression '" + s + "': " + what + " at " + pos);
        }
    }
}
