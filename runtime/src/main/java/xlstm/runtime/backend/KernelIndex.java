package xlstm.runtime.backend;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code index.tsv} of a C-family target's kernel sources on the class path (docs/glue-contract.md, "C-family
 * kernels"): per entry point its file, launch kind, work-item count and scratch size (integer expressions over the
 * call's int arguments and {@code L}), and its C parameter list.
 *
 * <p>The project's kernels are in {@code xlstm/generated/<target>} (e.g. {@link OpenClKernels#FOLDER}); a project
 * that compiles its own cells with xlstm-maven-plugin and a {@code javaPackage} of its own has them in that package's
 * folder ({@code org/example/customcell/kernels/opencl} for {@code org.example.customcell.kernels}).
 * {@link OpenClLauncher#forFolder(String)} runs the entries of any such folder.
 */
public final class KernelIndex {
    /** One parameter of a kernel's C signature: its C type ({@code __global const float*}) and its name. */
    public record Param(String type, String name) {
        /** A buffer argument (a {@code MemorySegment} in the Java contract). */
        public boolean pointer() { return type.contains("*"); }

        /** A pointer the kernel writes (state or output): copied back after the launch. */
        public boolean written() { return pointer() && !type.contains("const"); }
    }

    /**
     * One kernel of the index: entry point, file (in the index's folder), unit, schedule, launch kind
     * ({@code items}, {@code group}, {@code groups}), work-item count and scratch floats (index expressions), its
     * parameters (the Java entry point's, then the trailing scratch buffer), the dynamic shared memory per work-group
     * in bytes (an index expression; {@code 0} for most) and the exact work-group size it needs (0: any).
     */
    public record Entry(String entry, String file, String unit, String schedule, String launch, String count,
            String scratch, List<Param> params, String shared, int threads) {
        /** An entry with no dynamic shared memory and any work-group size (an index of eight columns). */
        public Entry(String entry, String file, String unit, String schedule, String launch, String count,
                String scratch, List<Param> params) {
            this(entry, file, unit, schedule, launch, count, scratch, params, "0", 0);
        }
    }

    private final String folder;
    private final ClassLoader loader;
    private final Map<String, Entry> entries;

    private KernelIndex(String folder, ClassLoader loader, Map<String, Entry> entries) {
        this.folder = folder;
        this.loader = loader;
        this.entries = entries;
    }

    /**
     * Reads {@code <folder>/index.tsv} (e.g. {@code xlstm/generated/opencl}) through the runtime's class loader;
     * null when the resource is missing.
     */
    public static KernelIndex load(String folder) {
        return load(folder, KernelIndex.class.getClassLoader());
    }

    /** Reads {@code <folder>/index.tsv} through {@code loader}; null when the resource is missing. */
    public static KernelIndex load(String folder, ClassLoader loader) {
        Objects.requireNonNull(loader, "loader");
        String dir = folder.replaceAll("^/+|/+$", "");
        String text = resource(loader, dir + "/index.tsv");
        if (text == null) return null;
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            line = line.stripTrailing();
            if (line.isBlank() || line.startsWith("#")) continue;
            String[] f = line.split("\t", -1);
            if (f.length < 8) throw new IllegalStateException(dir + "/index.tsv: malformed line: " + line);
            // columns 9 and 10 (shared, threads) came later: an index of eight columns means none and any
            String shared = f.length > 8 && !f[8].isBlank() ? f[8] : "0";
            int threads;
            try {
                threads = f.length > 9 && !f[9].isBlank() ? Integer.parseInt(f[9].strip()) : 0;
            } catch (NumberFormatException ex) {
                throw new IllegalStateException(dir + "/index.tsv: threads column is not a number: " + line);
            }
            entries.put(f[0], new Entry(f[0], f[1], f[2], f[3], f[4], f[5], f[6], params(f[7]), shared, threads));
        }
        return new KernelIndex(dir, loader, Collections.unmodifiableMap(entries));
    }

    /** The class-path folder of this index, without leading or trailing slash. */
    public String folder() { return folder; }

    /** The number of kernels. */
    public int size() { return entries.size(); }

    /** The entry named {@code entry}, or null. */
    public Entry get(String entry) { return entries.get(entry); }

    /** Every entry, in the order of the file. */
    public List<Entry> entries() { return List.copyOf(entries.values()); }

    /** The source text of {@code e}'s file in this index's folder. */
    public String source(Entry e) {
        String s = resource(loader, folder + "/" + e.file());
        if (s == null) throw new IllegalStateException(folder + "/" + e.file() + " is listed in index.tsv but missing");
        return s;
    }

    /**
     * The text of the file beside {@code file} (a file name of this index) with its extension replaced by
     * {@code extension} (e.g. the build-time {@code .ptx} of a {@code .cu}); null when the build made none.
     */
    public String beside(String file, String extension) {
        int dot = file.lastIndexOf('.');
        return resource(loader, folder + "/" + (dot < 0 ? file : file.substring(0, dot)) + extension);
    }

    /** The bytes of the file beside {@code file} with {@code extension} (e.g. the build-time {@code .cubin}); null when none. */
    public byte[] besideBytes(String file, String extension) {
        int dot = file.lastIndexOf('.');
        String path = folder + "/" + (dot < 0 ? file : file.substring(0, dot)) + extension;
        try (InputStream in = loader.getResourceAsStream(path)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read resource " + path + ": " + e.getMessage(), e);
        }
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

    private static String resource(ClassLoader cl, String path) {
        try (InputStream in = cl.getResourceAsStream(path)) {
            return in == null ? null : new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read resource " + path + ": " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ count / scratch expressions

    /** Evaluates an index expression ({@code B*NH*(L*(2*DQK+DV+L+7))}) with {@code vars}, in 64-bit. */
    public static long eval(String expr, Map<String, Long> vars) {
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
