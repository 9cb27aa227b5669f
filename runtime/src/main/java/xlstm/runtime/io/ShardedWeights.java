package xlstm.runtime.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import xlstm.backends.DType;
import xlstm.runtime.UserError;
import xlstm.runtime.tensor.Tensor;

/**
 * Weights spread over several safetensors files: a transformers {@code model.safetensors.index.json}
 * ({@code {"metadata": {...}, "weight_map": {name: shard file}}}) or xLSTM's numbered
 * {@code model_0.safetensors, model_1.safetensors, ...}. Every shard is opened (and validated) up front;
 * a missing shard, a tensor missing from its shard, or a name found in two numbered shards is a
 * {@link UserError} naming the index, shard and tensor.
 */
public final class ShardedWeights extends WeightStore {
    public static final String INDEX_NAME = "model.safetensors.index.json";

    private final String source;
    private final Map<String, SafetensorsFile> owner;
    private final List<SafetensorsFile> shards;
    private final Map<String, String> metadata;

    private ShardedWeights(String source, Map<String, SafetensorsFile> owner, List<SafetensorsFile> shards,
                           Map<String, String> metadata) {
        this.source = source;
        this.owner = Collections.unmodifiableMap(owner);
        this.shards = List.copyOf(shards);
        this.metadata = Collections.unmodifiableMap(metadata);
    }

    /** Opens a sharded checkpoint from its index file. */
    public static ShardedWeights open(Path index) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readString(index));
        } catch (NoSuchFileException e) {
            throw new UserError(index + ": no such file");
        } catch (JacksonException e) {
            throw new UserError(index + ": not valid JSON: " + e.getOriginalMessage().lines().findFirst().orElse(""));
        } catch (IOException e) {
            throw new UserError(index + ": cannot read (" + e.getMessage() + ")", e);
        }
        if (root == null || !root.isObject()) throw new UserError(index + ": not a JSON object");
        JsonNode map = root.get("weight_map");
        if (map == null || !map.isObject()) throw new UserError(index + ": no \"weight_map\" object");
        Map<String, String> metadata = new LinkedHashMap<>();
        JsonNode md = root.get("metadata");
        if (md != null && md.isObject()) {
            for (Map.Entry<String, JsonNode> e : md.properties()) {
                metadata.put(e.getKey(), e.getValue().isTextual() ? e.getValue().textValue() : e.getValue().toString());
            }
        }
        Path dir = index.toAbsolutePath().getParent();
        Map<String, SafetensorsFile> files = new LinkedHashMap<>();
        Map<String, SafetensorsFile> owner = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : map.properties()) {
            String name = e.getKey();
            JsonNode v = e.getValue();
            if (!v.isTextual() || v.textValue().isEmpty()) {
                throw new UserError(index + ": weight_map entry of tensor '" + name + "' is not a file name");
            }
            String shardName = v.textValue();
            Path shardPath = dir.resolve(shardName).normalize();
            if (!shardPath.startsWith(dir)) {
                throw new UserError(index + ": shard '" + shardName + "' of tensor '" + name
                        + "' lies outside the checkpoint directory");
            }
            SafetensorsFile shard = files.get(shardName);
            if (shard == null) {
                if (!Files.isRegularFile(shardPath)) {
                    throw new UserError(index + ": shard '" + shardName + "' (holding tensor '" + name
                            + "') does not exist");
                }
                shard = SafetensorsFile.open(shardPath);
                files.put(shardName, shard);
            }
            if (!shard.contains(name)) {
                throw new UserError(index + ": tensor '" + name + "' is mapped to shard '" + shardName
                        + "', which has no such tensor");
            }
            owner.put(name, shard);
        }
        // the other direction: every tensor of a shard is listed in the index, with that shard
        for (Map.Entry<String, SafetensorsFile> f : files.entrySet()) {
            for (String name : f.getValue().names()) {
                SafetensorsFile listed = owner.get(name);
                if (listed != f.getValue()) {
                    throw new UserError(index + ": shard '" + f.getKey() + "' holds tensor '" + name + "', which the"
                            + " index " + (listed == null ? "does not list"
                            : "maps to shard '" + listed.path().getFileName() + "'") + " (index and shards disagree)");
                }
            }
        }
        return new ShardedWeights(index.toString(), owner, new ArrayList<>(files.values()), metadata);
    }

    /** Opens {@code model_0.safetensors, model_1.safetensors, ...} in {@code dir} until one is missing. */
    public static ShardedWeights openNumbered(Path dir) {
        Map<String, SafetensorsFile> owner = new LinkedHashMap<>();
        List<SafetensorsFile> shards = new ArrayList<>();
        for (int i = 0; ; i++) {
            Path p = dir.resolve("model_" + i + ".safetensors");
            if (!Files.isRegularFile(p)) break;
            SafetensorsFile f = SafetensorsFile.open(p);
            shards.add(f);
            for (String n : f.names()) {
                SafetensorsFile prev = owner.putIfAbsent(n, f);
                if (prev != null) {
                    throw new UserError(dir + ": tensor '" + n + "' is in both " + prev.path().getFileName() + " and "
                            + p.getFileName());
                }
            }
        }
        if (shards.isEmpty()) throw new UserError(dir + ": no model_0.safetensors");
        return new ShardedWeights(dir.toString(), owner, shards, Map.of());
    }

    @Override public String source() { return source; }

    @Override public String sourceOf(String name) {
        SafetensorsFile f = owner.get(name);
        return f == null ? source : f.source();
    }

    @Override public Set<String> names() { return owner.keySet(); }

    @Override public boolean contains(String name) { return owner.containsKey(name); }

    @Override public long[] shapeOf(String name) {
        SafetensorsFile f = owner.get(name);
        return f == null ? null : f.shapeOf(name);
    }

    @Override public DType dtypeOf(String name) {
        SafetensorsFile f = owner.get(name);
        return f == null ? null : f.dtypeOf(name);
    }

    @Override protected Tensor load(String name) {
        SafetensorsFile f = owner.get(name);
        return f == null ? null : f.load(name);
    }

    /** The shard files, in the order first referenced. */
    public List<SafetensorsFile> shards() { return shards; }

    /** The index's {@code metadata} (e.g. {@code total_size}), as strings. */
    public Map<String, String> metadata() { return metadata; }

    @Override public void close() { for (SafetensorsFile f : shards) f.close(); }
}
