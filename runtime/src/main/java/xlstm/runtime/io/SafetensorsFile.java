package xlstm.runtime.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import xlstm.backends.DType;
import xlstm.runtime.UserError;
import xlstm.runtime.tensor.Tensor;

/**
 * A safetensors file, memory-mapped: an 8-byte little-endian header length {@code N}, {@code N} bytes of JSON
 * ({@code name → {dtype, shape, data_offsets}} plus an optional {@code __metadata__} string map), then the data
 * section. Tensors are zero-copy views of the mapping. Opening validates the whole header; every problem is a
 * {@link UserError} whose one-line message names the file and, where one is at fault, the tensor.
 */
public final class SafetensorsFile extends WeightStore {
    /** The reference implementation's limit on the header size (100 MB). */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    /** Every dtype name of the safetensors format, supported here or not. */
    static final Set<String> FORMAT_DTYPES = Set.of("BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F4",
            "F6_E2M3", "F6_E3M2", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64", "C64");

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    /** One header entry: where the bytes of a tensor are, relative to the start of the data section. */
    public record Entry(String name, DType dtype, long[] shape, long begin, long end) {
        public long byteSize() { return end - begin; }

        @Override public long[] shape() { return shape.clone(); }
    }

    private final Path path;
    private final MemorySegment data;
    private final Map<String, Entry> entries;
    private final Map<String, String> metadata;
    private final Arena ownedArena;
    private final long headerLength;

    private SafetensorsFile(Path path, MemorySegment data, Map<String, Entry> entries, Map<String, String> metadata,
                            Arena ownedArena, long headerLength) {
        this.path = path;
        this.data = data;
        this.entries = entries;
        this.metadata = metadata;
        this.ownedArena = ownedArena;
        this.headerLength = headerLength;
    }

    /**
     * Maps and validates {@code file}. The mapping is released by the garbage collector once no tensor view of
     * it remains ({@code Arena.ofAuto()}); {@link #close()} does nothing.
     */
    public static SafetensorsFile open(Path file) {
        return open(file, Arena.ofAuto(), false);
    }

    /**
     * Maps {@code file} into {@code arena}: the views are valid until the arena is closed. With
     * {@code closeArena}, {@link #close()} closes it.
     */
    public static SafetensorsFile open(Path file, Arena arena, boolean closeArena) {
        long size;
        MemorySegment all;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            size = ch.size();
            if (size < 8) {
                throw new UserError(file + ": not a safetensors file: " + size + " byte" + (size == 1 ? "" : "s")
                        + ", shorter than the 8-byte header length");
            }
            all = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
        } catch (NoSuchFileException e) {
            throw new UserError(file + ": no such file");
        } catch (IOException e) {
            throw new UserError(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        long n = all.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (n < 0 || n > size - 8) {
            throw new UserError(file + ": header length " + Long.toUnsignedString(n) + " runs past the end of the file ("
                    + size + " bytes): not a safetensors file or truncated");
        }
        if (n > MAX_HEADER_BYTES) {
            throw new UserError(file + ": header length " + n + " exceeds the limit of " + MAX_HEADER_BYTES + " bytes");
        }
        byte[] headerBytes = all.asSlice(8, n).toArray(ValueLayout.JAVA_BYTE);
        String headerText;
        try {
            headerText = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(headerBytes)).toString();
        } catch (CharacterCodingException e) {
            throw new UserError(file + ": header is not valid UTF-8");
        }
        JsonNode header;
        try {
            header = JSON.readTree(headerText);
        } catch (JacksonException e) {
            String msg = e.getOriginalMessage().lines().findFirst().orElse("").trim();
            throw new UserError(file + ": header is not valid JSON: " + msg);
        }
        if (header == null || !header.isObject()) {
            throw new UserError(file + ": header is not a JSON object");
        }
        MemorySegment dataSection = all.asSlice(8 + n);
        Map<String, String> metadata = new LinkedHashMap<>();
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> f : header.properties()) {
            if (f.getKey().equals("__metadata__")) {
                readMetadata(file, f.getValue(), metadata);
            } else {
                entries.put(f.getKey(), readEntry(file, f.getKey(), f.getValue(), dataSection.byteSize()));
            }
        }
        checkOverlaps(file, entries.values());
        return new SafetensorsFile(file, dataSection, Collections.unmodifiableMap(entries),
                Collections.unmodifiableMap(metadata), closeArena ? arena : null, n);
    }

    private static void readMetadata(Path file, JsonNode m, Map<String, String> out) {
        if (m.isNull()) return;
        if (!m.isObject()) throw new UserError(file + ": __metadata__ is not a JSON object");
        for (Map.Entry<String, JsonNode> e : m.properties()) {
            JsonNode v = e.getValue();
            if (!v.isTextual()) {
                throw new UserError(file + ": __metadata__ value of '" + e.getKey() + "' is not a string");
            }
            out.put(e.getKey(), v.textValue());
        }
    }

    private static Entry readEntry(Path file, String name, JsonNode e, long dataSize) {
        String where = file + ": tensor '" + name + "'";
        if (!e.isObject()) throw new UserError(where + ": header entry is not a JSON object");
        JsonNode dt = e.get("dtype");
        if (dt == null || !dt.isTextual()) throw new UserError(where + ": missing or non-string dtype");
        DType dtype = DType.fromSafetensors(dt.textValue());
        if (dtype == null) {
            if (FORMAT_DTYPES.contains(dt.textValue())) {
                throw new UserError(where + ": dtype " + dt.textValue() + " is not supported (supported: "
                        + Arrays.stream(DType.values()).map(DType::safetensorsName).reduce((a, b) -> a + ", " + b).orElse("")
                        + ")");
            }
            throw new UserError(where + ": unknown dtype '" + dt.textValue() + "'");
        }
        JsonNode sh = e.get("shape");
        if (sh == null || !sh.isArray()) throw new UserError(where + ": missing shape (a list of sizes)");
        long[] shape = new long[sh.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = nonNegativeInteger(sh.get(i), where + ": shape " + sh);
        }
        JsonNode off = e.get("data_offsets");
        if (off == null || !off.isArray() || off.size() != 2) {
            throw new UserError(where + ": data_offsets must be a list [begin, end]");
        }
        long begin = nonNegativeInteger(off.get(0), where + ": data_offsets " + off);
        long end = nonNegativeInteger(off.get(1), where + ": data_offsets " + off);
        if (end < begin) throw new UserError(where + ": data_offsets " + off + " end before they begin");
        if (end > dataSize) {
            throw new UserError(where + ": data_offsets " + off + " lie outside the data section (" + dataSize
                    + " bytes)");
        }
        long bytes;
        try {
            bytes = Math.multiplyExact(Tensor.count(shape), (long) dtype.byteSize());
        } catch (ArithmeticException ex) {
            throw new UserError(where + ": shape " + sh + " is too large");
        }
        if (bytes != end - begin) {
            throw new UserError(where + ": shape " + Arrays.toString(shape) + " of " + dtype.safetensorsName()
                    + " needs " + bytes + " bytes but data_offsets " + off + " hold " + (end - begin));
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    private static long nonNegativeInteger(JsonNode v, String context) {
        if (v == null || !v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
            throw new UserError(context + " holds " + (v == null ? "nothing" : v.toString())
                    + ", not a non-negative integer");
        }
        return v.longValue();
    }

    private static void checkOverlaps(Path file, java.util.Collection<Entry> entries) {
        List<Entry> sorted = new ArrayList<>();
        for (Entry e : entries) if (e.byteSize() > 0) sorted.add(e);
        sorted.sort(Comparator.comparingLong(Entry::begin));
        for (int i = 1; i < sorted.size(); i++) {
            Entry a = sorted.get(i - 1), b = sorted.get(i);
            if (b.begin() < a.end()) {
                throw new UserError(file + ": tensors '" + a.name() + "' " + offsets(a) + " and '" + b.name() + "' "
                        + offsets(b) + " overlap");
            }
        }
    }

    private static String offsets(Entry e) { return "[" + e.begin() + ", " + e.end() + "]"; }

    // ------------------------------------------------------------------ access

    public Path path() { return path; }

    @Override public String source() { return path.toString(); }

    /** The {@code __metadata__} map (empty when absent). */
    public Map<String, String> metadata() { return metadata; }

    /** The header entries, in header order. */
    public Map<String, Entry> entries() { return entries; }

    public Entry entry(String name) { return entries.get(name); }

    /** The header length N (the data section starts at byte {@code 8 + N}). */
    public long headerLength() { return headerLength; }

    @Override public Set<String> names() { return entries.keySet(); }

    @Override public boolean contains(String name) { return entries.containsKey(name); }

    @Override public long[] shapeOf(String name) {
        Entry e = entries.get(name);
        return e == null ? null : e.shape();
    }

    @Override public DType dtypeOf(String name) {
        Entry e = entries.get(name);
        return e == null ? null : e.dtype();
    }

    @Override
    protected Tensor load(String name) {
        Entry e = entries.get(name);
        if (e == null) return null;
        return Tensor.wrap(data.asSlice(e.begin(), e.byteSize()), e.dtype(), e.shape);
    }

    /** The tensor {@code name} as a zero-copy, read-only view; a {@link UserError} when absent. */
    public Tensor tensor(String name) {
        Tensor t = load(name);
        if (t == null) throw new UserError(path + ": tensor '" + name + "' is missing");
        return t;
    }

    @Override
    public void close() {
        if (ownedArena != null) ownedArena.close();
    }

    @Override
    public String toString() { return "SafetensorsFile[" + path + ", " + entries.size() + " tensors]"; }
}
