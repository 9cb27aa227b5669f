package xlstm.runtime.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import xlstm.runtime.UserError;
import xlstm.runtime.tensor.Tensor;

/**
 * Writes safetensors files. The file appears atomically: everything goes to a temporary file in the same
 * directory, which is flushed to disk and then renamed over the target. The header is padded with spaces to
 * a multiple of 8 bytes (so the data section is 8-byte aligned); tensors are stored in the map's order.
 */
public final class SafetensorsWriter {
    private static final long CHUNK = 1L << 30;

    private SafetensorsWriter() {}

    public static void write(Path file, Map<String, Tensor> tensors) { write(file, tensors, Map.of()); }

    /** Writes {@code tensors} (name → tensor, in iteration order) and {@code metadata} to {@code file}. */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        ObjectNode header = JsonNodeFactory.instance.objectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode md = header.putObject("__metadata__");
            metadata.forEach(md::put);
        }
        Map<String, Tensor> ordered = new LinkedHashMap<>(tensors);
        long offset = 0;
        for (Map.Entry<String, Tensor> e : ordered.entrySet()) {
            String name = e.getKey();
            Tensor t = e.getValue();
            if (name == null || name.isEmpty() || name.equals("__metadata__")) {
                throw new UserError(file + ": invalid tensor name '" + name + "'");
            }
            if (t == null) throw new UserError(file + ": tensor '" + name + "' is null");
            ObjectNode h = header.putObject(name);
            h.put("dtype", t.dtype().safetensorsName());
            var shape = h.putArray("shape");
            for (long d : t.shape()) shape.add(d);
            long bytes = t.data().byteSize();
            h.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json;
        try {
            json = new ObjectMapper().writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) head.put((byte) ' ');
        head.flip();

        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        Path tmp = null;
        try {
            if (dir != null) Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                writeFully(ch, head);
                for (Tensor t : ordered.values()) {
                    MemorySegment seg = t.data();
                    for (long pos = 0; pos < seg.byteSize(); pos += CHUNK) {
                        long len = Math.min(CHUNK, seg.byteSize() - pos);
                        writeFully(ch, seg.asSlice(pos, len).asByteBuffer());
                    }
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException e) {
            throw new UserError(file + ": cannot write (" + e.getMessage() + ")", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }

    /**
     * Writes a sharded checkpoint: shard files named {@code <prefix>-0000i-of-0000n.safetensors} of at most
     * {@code maxShardBytes} each (a larger tensor gets a shard of its own) and {@code model.safetensors.index.json},
     * as transformers' {@code save_pretrained} lays them out. Returns the index path.
     */
    public static Path writeSharded(Path dir, Map<String, Tensor> tensors, long maxShardBytes,
                                    Map<String, String> metadata) {
        List<Map<String, Tensor>> groups = new java.util.ArrayList<>();
        Map<String, Tensor> cur = new LinkedHashMap<>();
        long curBytes = 0, total = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            long b = e.getValue().data().byteSize();
            if (!cur.isEmpty() && curBytes + b > maxShardBytes) {
                groups.add(cur);
                cur = new LinkedHashMap<>();
                curBytes = 0;
            }
            cur.put(e.getKey(), e.getValue());
            curBytes += b;
            total += b;
        }
        if (!cur.isEmpty() || groups.isEmpty()) groups.add(cur);
        ObjectNode index = JsonNodeFactory.instance.objectNode();
        index.putObject("metadata").put("total_size", total);
        ObjectNode map = index.putObject("weight_map");
        int n = groups.size();
        for (int i = 0; i < n; i++) {
            String name = String.format("model-%05d-of-%05d.safetensors", i + 1, n);
            write(dir.resolve(name), groups.get(i), metadata);
            for (String t : groups.get(i).keySet()) map.put(t, name);
        }
        Path indexPath = dir.resolve(ShardedWeights.INDEX_NAME);
        try {
            Path tmp = Files.createTempFile(dir, "." + ShardedWeights.INDEX_NAME + ".", ".tmp");
            Files.writeString(tmp, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(index));
            Files.move(tmp, indexPath, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UserError(indexPath + ": cannot write (" + e.getMessage() + ")", e);
        }
        return indexPath;
    }
}
