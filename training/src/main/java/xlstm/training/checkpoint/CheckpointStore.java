package xlstm.training.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import xlstm.runtime.UserError;
import xlstm.runtime.io.SafetensorsWriter;
import xlstm.runtime.io.WeightStore;
import xlstm.runtime.tensor.Tensor;

/**
 * The checkpoints of a run: one directory per step, {@code step-00000100/} holding {@code model.safetensors}
 * (parameters by reference name), {@code optimizer.safetensors} (AdamW moments), {@code state.json} (step,
 * optimiser steps, generator state) and {@code run.json} (the run's config). A checkpoint is written into a hidden
 * temporary directory and renamed when complete, so a run killed while saving leaves the previous checkpoints
 * intact and never a half-written one; only the newest {@code keep} are kept.
 */
public final class CheckpointStore {
    private static final Pattern NAME = Pattern.compile("step-(\\d{8})");
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path dir;

    public CheckpointStore(Path dir) { this.dir = dir; }

    public Path dir() { return dir; }

    /** Writes the checkpoint of {@code state.step()} and deletes all but the newest {@code keep}; returns its path. */
    public Path save(TrainingState state, int keep) {
        Path target = dir.resolve(String.format("step-%08d", state.step()));
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempDirectory(dir, "." + target.getFileName() + ".tmp-");
            SafetensorsWriter.write(tmp.resolve("model.safetensors"), state.parameters(), Map.of("format", "pt"));
            SafetensorsWriter.write(tmp.resolve("optimizer.safetensors"), state.optimizer());
            ObjectNode s = JSON.createObjectNode();
            s.put("step", state.step()).put("optimizer_steps", state.optimizerSteps())
                    .put("rng_state", Long.toString(state.rngState())); // a string: JSON readers may round longs
            Files.writeString(tmp.resolve("state.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(s));
            Files.writeString(tmp.resolve("run.json"),
                    JSON.writerWithDefaultPrettyPrinter().writeValueAsString(state.runConfig()));
            if (Files.exists(target)) deleteTree(target); // a rerun of the same step after a resume
            move(tmp, target);
            tmp = null;
        } catch (IOException e) {
            throw new UserError(target + ": cannot write the checkpoint (" + e.getMessage() + ")", e);
        } finally {
            if (tmp != null) deleteTree(tmp);
        }
        prune(keep);
        return target;
    }

    /** Deletes the temporary directories of saves that a killed run left unfinished; returns how many. */
    public int removeUnfinished() {
        if (!Files.isDirectory(dir)) return 0;
        List<Path> left;
        try (Stream<Path> s = Files.list(dir)) {
            left = s.filter(p -> p.getFileName().toString().matches("\\.step-\\d{8}\\.tmp-.*")).toList();
        } catch (IOException e) {
            throw new UserError(dir + ": cannot list checkpoints (" + e.getMessage() + ")", e);
        }
        left.forEach(CheckpointStore::deleteTree);
        return left.size();
    }

    /** Complete checkpoints, oldest first. */
    public List<Path> list() {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> NAME.matcher(p.getFileName().toString()).matches() && Files.isDirectory(p))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString())).toList();
        } catch (IOException e) {
            throw new UserError(dir + ": cannot list checkpoints (" + e.getMessage() + ")", e);
        }
    }

    /** The newest checkpoint, or null when there is none. */
    public Path latest() {
        List<Path> all = list();
        return all.isEmpty() ? null : all.get(all.size() - 1);
    }

    /** Reads a checkpoint directory (tensors copied onto fresh memory). */
    public static TrainingState load(Path ckpt) {
        Path stateFile = ckpt.resolve("state.json");
        JsonNode s = json(stateFile);
        JsonNode run = json(ckpt.resolve("run.json"));
        Matcher m = NAME.matcher(ckpt.getFileName().toString());
        long step = s.path("step").asLong(-1);
        long rng;
        try {
            rng = Long.parseLong(s.path("rng_state").asText("?"));
        } catch (NumberFormatException e) {
            rng = -1;
            step = -1;
        }
        if (step < 0 || !s.has("optimizer_steps") || (m.matches() && Long.parseLong(m.group(1)) != step)) {
            throw new UserError(stateFile + ": not the state of this checkpoint (step, optimizer_steps, rng_state)");
        }
        return new TrainingState(step, tensors(ckpt.resolve("model.safetensors")),
                tensors(ckpt.resolve("optimizer.safetensors")), s.path("optimizer_steps").asLong(), rng, run);
    }

    /** A JSON file of a checkpoint; problems are one line naming it. */
    private static JsonNode json(Path f) {
        try {
            return JSON.readTree(Files.readString(f));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new UserError(f + ": missing (an incomplete checkpoint directory)");
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            var loc = e.getLocation();
            throw new UserError(f + ": not valid JSON" + (loc == null ? "" : " at line " + loc.getLineNr()) + ": "
                    + e.getOriginalMessage().lines().findFirst().orElse(""), e);
        } catch (IOException e) {
            throw new UserError(f + ": cannot read (" + e.getMessage() + ")", e);
        }
    }

    private static Map<String, Tensor> tensors(Path file) {
        try (WeightStore w = WeightStore.open(file)) {
            Map<String, Tensor> out = new LinkedHashMap<>();
            w.toMap().forEach((n, t) -> out.put(n, t.toF32().copy()));
            return out;
        }
    }

    private void prune(int keep) {
        List<Path> all = list();
        for (int i = 0; i < all.size() - keep; i++) deleteTree(all.get(i));
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    static void deleteTree(Path p) {
        if (!Files.exists(p)) return;
        try (Stream<Path> s = Files.walk(p)) {
            for (Path f : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
        } catch (IOException ignored) {
            // best effort: a leftover hidden directory is harmless and ignored by list()
        }
    }
}
