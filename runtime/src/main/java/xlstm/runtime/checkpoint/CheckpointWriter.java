package xlstm.runtime.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import xlstm.runtime.UserError;
import xlstm.runtime.io.ShardedWeights;

/**
 * Writes a checkpoint directory atomically: everything goes into a hidden temporary directory next to the target,
 * which is renamed to the target only when every file is complete and flushed; a failure (or an interrupted run)
 * leaves no half-written target. Weights are split into shards of at most {@code maxShardBytes} (a larger tensor
 * gets a shard of its own) named {@code model-0000i-of-0000n.safetensors} with {@code model.safetensors.index.json},
 * as transformers' {@code save_pretrained} lays them out; a checkpoint that fits in one shard is a single
 * {@code model.safetensors}, as there.
 */
public final class CheckpointWriter {
    /** transformers' default {@code max_shard_size}, "5GB". */
    public static final long DEFAULT_MAX_SHARD_BYTES = 5_000_000_000L;

    /** Writes the non-weight files (configs, tokenizer) into the temporary directory. */
    @FunctionalInterface
    public interface Extras {
        void writeInto(Path dir) throws IOException;
    }

    private CheckpointWriter() {}

    static void write(Path out, List<? extends ShardWriter.Source> tensors, long maxShardBytes, boolean overwrite,
                      Extras extras, String phase, ProgressListener progress) {
        if (maxShardBytes <= 0) throw new UserError("the maximum shard size must be positive, got " + maxShardBytes);
        Path target = out.toAbsolutePath().normalize();
        Path parent = target.getParent();
        if (parent == null || !Files.isDirectory(parent)) {
            throw new UserError(out + ": the parent directory does not exist");
        }
        if (Files.exists(target) && !overwrite) {
            throw new UserError(out + ": already exists (choose a new name, or --force to replace it)");
        }
        ProgressListener p = progress == null ? ProgressListener.NONE : progress;
        List<List<ShardWriter.Source>> shards = plan(tensors, maxShardBytes);
        long total = 0;
        for (ShardWriter.Source s : tensors) total += s.byteSize();
        Path tmp = null;
        try {
            tmp = Files.createTempDirectory(parent, "." + target.getFileName() + ".tmp-");
            readableByAll(tmp, true);
            if (extras != null) extras.writeInto(tmp);
            AtomicLong done = new AtomicLong();
            long all = total;
            p.update(phase, 0, all);
            Map<String, String> weightMap = new TreeMap<>();
            int n = shards.size();
            for (int i = 0; i < n; i++) {
                String name = n == 1 ? "model.safetensors" : String.format("model-%05d-of-%05d.safetensors", i + 1, n);
                ShardWriter.write(tmp.resolve(name), shards.get(i), Map.of("format", "pt"),
                        b -> p.update(phase, done.addAndGet(b), all));
                for (ShardWriter.Source s : shards.get(i)) weightMap.put(s.name(), name);
            }
            if (n > 1) {
                ObjectNode index = JsonNodeFactory.instance.objectNode();
                index.putObject("metadata").put("total_size", total);
                ObjectNode map = index.putObject("weight_map");
                weightMap.forEach(map::put);
                Files.writeString(tmp.resolve(ShardedWeights.INDEX_NAME),
                        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(index));
            }
            p.update(phase, all, all);
            publish(tmp, target, overwrite);
            tmp = null;
        } catch (IOException e) {
            throw new UserError(out + ": cannot write (" + e + ")", e);
        } finally {
            if (tmp != null) deleteTree(tmp);
        }
    }

    /** rwxr-xr-x / rw-r--r-- where POSIX permissions exist (temporary files start private). */
    static void readableByAll(Path p, boolean dir) {
        try {
            Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString(
                    dir ? "rwxr-xr-x" : "rw-r--r--"));
        } catch (UnsupportedOperationException | IOException ignored) {
            // not a POSIX file system: its defaults apply
        }
    }

    /** Greedy grouping in tensor order, as transformers does. */
    static List<List<ShardWriter.Source>> plan(List<? extends ShardWriter.Source> tensors, long maxShardBytes) {
        List<List<ShardWriter.Source>> shards = new ArrayList<>();
        List<ShardWriter.Source> cur = new ArrayList<>();
        long curBytes = 0;
        for (ShardWriter.Source s : tensors) {
            if (!cur.isEmpty() && curBytes + s.byteSize() > maxShardBytes) {
                shards.add(cur);
                cur = new ArrayList<>();
                curBytes = 0;
            }
            cur.add(s);
            curBytes += s.byteSize();
        }
        if (!cur.isEmpty() || shards.isEmpty()) shards.add(cur);
        return shards;
    }

    /** Renames the finished temporary directory to the target (replacing an old one last, with --force). */
    private static void publish(Path tmp, Path target, boolean overwrite) throws IOException {
        Path old = null;
        if (overwrite && Files.exists(target)) {
            old = target.resolveSibling("." + target.getFileName() + ".old-" + System.nanoTime());
            move(target, old);
        }
        move(tmp, target);
        if (old != null) deleteTree(old);
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort: a leftover hidden temporary directory is harmless
        }
    }

    /** The files of {@code dir} that are not weights (configs, tokenizer, README), by name. */
    static Map<String, Path> nonWeightFiles(Path dir) {
        Map<String, Path> out = new LinkedHashMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.sorted().toList()) {
                String n = f.getFileName().toString();
                if (!Files.isRegularFile(f) || n.startsWith(".") || n.endsWith(".safetensors")
                        || n.equals(ShardedWeights.INDEX_NAME)) continue;
                out.put(n, f);
            }
        } catch (IOException e) {
            throw new UserError(dir + ": cannot list (" + e.getMessage() + ")", e);
        }
        return out;
    }
}
