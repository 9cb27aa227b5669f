package xlstm.runtime.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import xlstm.backends.DType;
import xlstm.runtime.UserError;
import xlstm.runtime.tensor.Tensor;

/**
 * Writes one safetensors file tensor by tensor, without holding the file's tensors in memory: the header is
 * computed from the planned names, dtypes and shapes, then each tensor's bytes are produced in bounded chunks by a
 * {@link Source}. The header is padded with spaces to a multiple of 8 bytes (8-byte aligned data), as
 * {@code safetensors} does.
 */
final class ShardWriter {
    /** Elements per chunk: 16 Mi floats (64 MiB of float32). */
    static final long CHUNK_ELEMENTS = 1L << 24;

    /** A tensor to write. */
    interface Source {
        String name();

        DType dtype();

        long[] shape();

        /** Fills {@code out} (elements {@code from .. from + count} of the tensor, in {@link #dtype()}). */
        void fill(long from, long count, MemorySegment out);

        default long numel() { return Tensor.count(shape()); }

        default long byteSize() { return numel() * dtype().byteSize(); }
    }

    private ShardWriter() {}

    /**
     * Writes {@code tensors} to {@code file} (which must not exist; the caller makes the whole directory appear
     * atomically) and calls {@code written} with the bytes of each chunk; the file is flushed to disk.
     */
    static void write(Path file, List<? extends Source> tensors, Map<String, String> metadata,
                      java.util.function.LongConsumer written) {
        ObjectNode header = JsonNodeFactory.instance.objectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode md = header.putObject("__metadata__");
            metadata.forEach(md::put);
        }
        long offset = 0;
        for (Source t : tensors) {
            ObjectNode h = header.putObject(t.name());
            h.put("dtype", t.dtype().safetensorsName());
            var shape = h.putArray("shape");
            for (long d : t.shape()) shape.add(d);
            h.putArray("data_offsets").add(offset).add(offset + t.byteSize());
            offset += t.byteSize();
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
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
             Arena arena = Arena.ofShared()) {
            writeFully(ch, head);
            long maxChunkBytes = CHUNK_ELEMENTS * 8;
            MemorySegment buf = arena.allocate(maxChunkBytes, 64);
            for (Source t : tensors) {
                long n = t.numel();
                int es = t.dtype().byteSize();
                for (long from = 0; from < n; from += CHUNK_ELEMENTS) {
                    long count = Math.min(CHUNK_ELEMENTS, n - from);
                    MemorySegment out = buf.asSlice(0, count * es);
                    t.fill(from, count, out);
                    writeFully(ch, out.asByteBuffer());
                    written.accept(count * es);
                }
            }
            ch.force(true);
        } catch (IOException e) {
            throw new UserError(file + ": cannot write (" + e.getMessage() + ")", e);
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }
}
