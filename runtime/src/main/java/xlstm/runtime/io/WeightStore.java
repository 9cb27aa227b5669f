package xlstm.runtime.io;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import xlstm.backends.DType;
import xlstm.backends.cpu.HugePages;
import xlstm.runtime.UserError;
import xlstm.runtime.tensor.Tensor;

/**
 * Named weights (name → {@link Tensor}) from one safetensors file, a sharded checkpoint directory or an
 * in-memory map. {@link #require} checks a tensor's shape and remembers it as used, so that after building a
 * model {@link #unused()} lists the extra weights of a checkpoint and {@link #checkAllUsed()} reports them.
 * Errors are {@link UserError}s naming the file and the tensor.
 */
public abstract class WeightStore implements AutoCloseable {
    private final Set<String> used = ConcurrentHashMap.newKeySet();

    /** A description of where the weights come from (a file or directory name), used in messages. */
    public abstract String source();

    /** The file a tensor lives in (for messages); {@link #source()} by default. */
    public String sourceOf(String name) { return source(); }

    /** All tensor names, in a stable order. */
    public abstract Set<String> names();

    public boolean contains(String name) { return names().contains(name); }

    /** The tensor as stored (a zero-copy view where possible), without marking it used; null when absent. */
    protected abstract Tensor load(String name);

    /** The stored shape of a tensor without loading it; null when absent. */
    public long[] shapeOf(String name) {
        Tensor t = load(name);
        return t == null ? null : t.shape();
    }

    /** The stored dtype of a tensor; null when absent. */
    public DType dtypeOf(String name) {
        Tensor t = load(name);
        return t == null ? null : t.dtype();
    }

    /** The tensor {@code name}, marked used; a {@link UserError} when it is missing. */
    public Tensor get(String name) {
        Tensor t = load(name);
        if (t == null) throw missingError(name);
        used.add(name);
        return t;
    }

    /**
     * The tensor {@code name} with its shape checked against {@code expectedShape} ({@code -1} matches any
     * size; an empty {@code expectedShape} checks nothing), marked used.
     */
    public Tensor require(String name, long... expectedShape) {
        Tensor t = get(name);
        if (expectedShape.length > 0 && !shapeMatches(t.shape(), expectedShape)) {
            throw new UserError(sourceOf(name) + ": tensor '" + name + "' has shape " + Arrays.toString(t.shape())
                    + ", expected " + Arrays.toString(expectedShape));
        }
        return t;
    }

    /** The tensor when present (shape checked, marked used), else null. */
    public Tensor optional(String name, long... expectedShape) {
        return contains(name) ? require(name, expectedShape) : null;
    }

    static boolean shapeMatches(long[] actual, long[] expected) {
        if (actual.length != expected.length) return false;
        for (int i = 0; i < actual.length; i++) {
            if (expected[i] != -1 && expected[i] != actual[i]) return false;
        }
        return true;
    }

    /** Marks names as used without loading them (e.g. tied weights the model does not read). */
    public void markUsed(String... names) { used.addAll(Arrays.asList(names)); }

    /** Names read through {@link #get}/{@link #require}, in store order. */
    public Set<String> used() {
        Set<String> out = new LinkedHashSet<>();
        for (String n : names()) if (used.contains(n)) out.add(n);
        return out;
    }

    /** Names never read: the extra weights of a checkpoint. */
    public Set<String> unused() {
        Set<String> out = new LinkedHashSet<>(names());
        out.removeAll(used);
        return out;
    }

    /** Which of {@code expected} this store lacks. */
    public List<String> missing(Collection<String> expected) {
        List<String> out = new ArrayList<>();
        for (String n : expected) if (!contains(n)) out.add(n);
        return out;
    }

    /** Throws a {@link UserError} listing the weights no one read (unexpected tensors in a checkpoint). */
    public void checkAllUsed() {
        Set<String> extra = unused();
        if (!extra.isEmpty()) {
            List<String> shown = new ArrayList<>(extra).subList(0, Math.min(extra.size(), 10));
            throw new UserError(source() + ": " + extra.size() + " unexpected tensor" + (extra.size() == 1 ? "" : "s")
                    + " not used by the model: " + String.join(", ", shown) + (extra.size() > 10 ? ", ..." : ""));
        }
    }

    /** Throws a {@link UserError} naming the first of {@code expected} that is missing. */
    public void checkPresent(Collection<String> expected) {
        List<String> miss = missing(expected);
        if (!miss.isEmpty()) {
            throw new UserError(source() + ": " + miss.size() + " missing tensor" + (miss.size() == 1 ? "" : "s")
                    + ": " + String.join(", ", miss.subList(0, Math.min(10, miss.size())))
                    + (miss.size() > 10 ? ", ..." : ""));
        }
    }

    UserError missingError(String name) {
        String last = name.substring(name.lastIndexOf('.') + 1);
        String stem = name.contains(".") ? name.substring(0, name.lastIndexOf('.')) : name;
        String stemLast = stem.substring(stem.lastIndexOf('.') + 1);
        List<String> similar = new ArrayList<>();
        for (String n : names()) {
            if (n.endsWith("." + stemLast + "." + last) || n.equals(stemLast + "." + last)) similar.add(n);
            if (similar.size() == 3) break;
        }
        return new UserError(source() + ": tensor '" + name + "' is missing"
                + (similar.isEmpty() ? "" : " (similar names: " + String.join(", ", similar) + ")"));
    }

    /**
     * A view of this store whose floating-point tensors are converted to {@code target} (F32 or BF16) when
     * read; integer tensors are returned as stored. Conversions are cached; usage is shared with this store.
     */
    public WeightStore converting(DType target) {
        if (target != DType.F32 && target != DType.BF16) {
            throw new IllegalArgumentException("weights convert to F32 or BF16, not " + target);
        }
        return mapping(d -> isFloat(d) ? target : d, t -> {
            if (t.dtype() == target) return t;
            Tensor converted = Tensors.convert(t, target);
            // the converted copy is what stays: drop the source's pages from memory (the mapping stays)
            if (t.data().isMapped()) t.data().unload();
            return converted;
        });
    }

    /**
     * A view of this store whose floating-point tensors are copied out of the file mapping into fresh native memory
     * when read, on 2 MiB pages where the OS gives them ({@code hugePages}, {@link HugePages}) or ordinary ones:
     * the decode step streams every weight, and a file mapping is page-cache memory on 4 KiB pages. Same values. A
     * tensor not mapped (e.g. converted to bf16 at load) is already in memory of its own and kept, unless huge pages
     * are asked for.
     */
    public WeightStore copying(boolean hugePages) {
        return mapping(d -> d, t -> {
            if (!hugePages && !t.data().isMapped()) return t;
            long bytes = t.data().byteSize();
            MemorySegment to = hugePages ? HugePages.allocate(bytes).segment()
                    : Arena.ofAuto().allocate(Math.max(1, bytes), 64).asSlice(0, bytes);
            MemorySegment.copy(t.data(), 0, to, 0, bytes);
            if (t.data().isMapped()) t.data().unload();
            return Tensor.wrap(to, t.dtype(), t.shape());
        });
    }

    /**
     * A view of this store whose floating-point tensors go through {@code map} once each (cached) and are declared
     * with the dtype {@code dtype} gives; integer tensors, names, shapes and usage are this store's.
     */
    private WeightStore mapping(java.util.function.UnaryOperator<DType> dtype, java.util.function.UnaryOperator<Tensor> map) {
        WeightStore base = this;
        Map<String, Tensor> cache = new ConcurrentHashMap<>();
        return new WeightStore() {
            @Override public String source() { return base.source(); }
            @Override public String sourceOf(String name) { return base.sourceOf(name); }
            @Override public Set<String> names() { return base.names(); }
            @Override public boolean contains(String name) { return base.contains(name); }
            @Override public long[] shapeOf(String name) { return base.shapeOf(name); }
            @Override public DType dtypeOf(String name) {
                DType d = base.dtypeOf(name);
                return d == null ? null : dtype.apply(d);
            }
            @Override protected Tensor load(String name) {
                Tensor t = base.load(name);
                if (t == null || !isFloat(t.dtype())) return t;
                return cache.computeIfAbsent(name, n -> map.apply(t));
            }
            @Override public Tensor get(String name) {
                Tensor t = load(name);
                if (t == null) throw base.missingError(name);
                base.markUsed(name);
                return t;
            }
            @Override public void markUsed(String... names) { base.markUsed(names); }
            @Override public Set<String> used() { return base.used(); }
            @Override public Set<String> unused() { return base.unused(); }
            @Override public void close() { base.close(); }
        };
    }

    /**
     * A view of this store that calls {@code listener} with the name and tensor each time {@link #get} (and so
     * {@link #require}/{@link #optional}) hands a tensor out, e.g. to show loading progress. Usage is shared with
     * this store.
     */
    public WeightStore observing(java.util.function.BiConsumer<String, Tensor> listener) {
        WeightStore base = this;
        return new WeightStore() {
            @Override public String source() { return base.source(); }
            @Override public String sourceOf(String name) { return base.sourceOf(name); }
            @Override public Set<String> names() { return base.names(); }
            @Override public boolean contains(String name) { return base.contains(name); }
            @Override public long[] shapeOf(String name) { return base.shapeOf(name); }
            @Override public DType dtypeOf(String name) { return base.dtypeOf(name); }
            @Override protected Tensor load(String name) { return base.load(name); }
            @Override public Tensor get(String name) {
                Tensor t = base.get(name);
                listener.accept(name, t);
                return t;
            }
            @Override public void markUsed(String... names) { base.markUsed(names); }
            @Override public Set<String> used() { return base.used(); }
            @Override public Set<String> unused() { return base.unused(); }
            @Override public void close() { base.close(); }
        };
    }

    static boolean isFloat(DType d) {
        return d == DType.F32 || d == DType.BF16 || d == DType.F16 || d == DType.F64;
    }

    /** Every tensor, loaded (views where possible), in store order; marks nothing used. */
    public Map<String, Tensor> toMap() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String n : names()) out.put(n, load(n));
        return out;
    }

    @Override
    public void close() {}

    // ------------------------------------------------------------------ factories

    /**
     * Opens weights at {@code path}: a {@code .safetensors} file; a {@code model.safetensors.index.json}; or a
     * directory holding {@code model.safetensors.index.json} (sharded, as transformers saves), a single
     * {@code model.safetensors}, or the {@code model_0.safetensors, model_1.safetensors, ...} series that
     * xLSTM's {@code load_from_pretrained} reads.
     */
    public static WeightStore open(Path path) {
        if (Files.isDirectory(path)) {
            Path index = path.resolve(ShardedWeights.INDEX_NAME);
            if (Files.isRegularFile(index)) return ShardedWeights.open(index);
            Path single = path.resolve("model.safetensors");
            if (Files.isRegularFile(single)) return SafetensorsFile.open(single);
            if (Files.isRegularFile(path.resolve("model_0.safetensors"))) return ShardedWeights.openNumbered(path);
            throw new UserError(path + ": no " + ShardedWeights.INDEX_NAME + ", model.safetensors or"
                    + " model_0.safetensors in this directory");
        }
        if (!Files.exists(path)) throw new UserError(path + ": no such file or directory");
        if (path.getFileName().toString().endsWith(".json")) return ShardedWeights.open(path);
        return SafetensorsFile.open(path);
    }

    /** An in-memory store (e.g. freshly initialised or trained weights). */
    public static WeightStore of(Map<String, Tensor> tensors, String sourceName) {
        Map<String, Tensor> copy = new LinkedHashMap<>(tensors);
        Set<String> names = java.util.Collections.unmodifiableSet(copy.keySet());
        return new WeightStore() {
            @Override public String source() { return sourceName; }
            @Override public Set<String> names() { return names; }
            @Override public boolean contains(String name) { return copy.containsKey(name); }
            @Override protected Tensor load(String name) { return copy.get(name); }
        };
    }
}
