package xlstm.training.loop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import xlstm.runtime.config.ConfigError;
import xlstm.runtime.config.ConfigFiles;
import xlstm.runtime.config.ConfigNode;
import xlstm.runtime.UserError;

/**
 * A training run's config file (YAML or JSON): {@code model}, {@code data}, {@code training} (see
 * {@link ModelSpec}, {@link DataConfig}, {@link TrainingConfig}) and {@code out}, the run's directory (relative
 * paths are relative to the working directory). Every problem is a {@link xlstm.runtime.UserError} naming the
 * file and the dotted option.
 */
public record RunConfig(ModelSpec model, DataConfig data, TrainingConfig training, Path out) {

    public RunConfig {
        if (model instanceof ModelSpec.Lm lm && !lm.config().stack().blockMap().stream().allMatch(b -> b == 1)) {
            int longest = data.longestSequence(training.seqLen());
            if (lm.config().contextLength() < longest) {
                throw new ConfigError("model.config.context_length", lm.config().contextLength() + " is shorter than the"
                        + " longest training or validation sequence (" + longest + "); the mLSTM blocks need it at least as long");
            }
        }
    }

    /** Reads a config file; errors read {@code FILE:LINE: config option 'training.lr': ...}. */
    public static RunConfig load(Path file) {
        JsonNode tree = ConfigFiles.read(file);
        try {
            return fromJson(tree);
        } catch (ConfigError e) {
            throw located(file, e);
        } catch (UserError e) {
            throw new UserError(file + ": " + e.getMessage(), e);
        }
    }

    /** {@code e} as a one-line error naming the file and the option's line ({@code FILE:LINE: config option ...}). */
    public static UserError located(Path file, ConfigError e) {
        String text;
        try {
            text = java.nio.file.Files.readString(file);
        } catch (java.io.IOException io) {
            text = "";
        }
        int line = OptionLines.find(text, e.option());
        return new UserError(file + (line > 0 ? ":" + line : "") + ": " + e.getMessage(), e);
    }

    public static RunConfig fromJson(JsonNode node) {
        ConfigNode c = ConfigNode.of(node);
        if (!c.has("model")) throw new ConfigError("model", "is required (type lm, large or bigram)");
        if (!c.has("data")) throw new ConfigError("data", "is required (type text or parity)");
        ModelSpec model = ModelSpec.parse(c.child("model"));
        DataConfig data = DataConfig.parse(c.child("data"));
        TrainingConfig training = TrainingConfig.parse(c.child("training"));
        String out = c.getString("out", null);
        if (out == null) throw new ConfigError("out", "is required: the run's directory (checkpoints, log, plot, model)");
        c.finish();
        return new RunConfig(model, data, training, Path.of(out));
    }

    public RunConfig withOut(Path dir) { return new RunConfig(model, data, training, dir); }

    public RunConfig withTraining(TrainingConfig t) { return new RunConfig(model, data, t, out); }

    public ObjectNode toJson() {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.set("model", model.toJson());
        o.set("data", data.toJson());
        o.set("training", training.toJson());
        o.put("out", out.toString());
        return o;
    }
}
