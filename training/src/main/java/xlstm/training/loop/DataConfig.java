package xlstm.training.loop;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import xlstm.runtime.config.ConfigError;
import xlstm.runtime.config.ConfigNode;
import xlstm.training.data.DataSource;
import xlstm.training.data.ParityData;
import xlstm.training.data.ParityTask;
import xlstm.training.data.TextData;
import xlstm.training.data.TokenStream;

/**
 * A run's {@code data} dictionary: a text file ({@code type: text}, {@code file}, optional {@code tokenizer}
 * (tokenizer.json; without it the text's bytes are the tokens), {@code validation_fraction}) or the parity task
 * ({@code type: parity}, {@code train_lengths: [min, max]}, {@code test_lengths: [min, max]}, {@code targets: last}
 * or {@code every}: which positions of the training strings have a target).
 */
public sealed interface DataConfig {
    String[] TYPES = {"text", "parity"};

    /** Opens the data for batches of {@code batchSize} (text: windows of {@code seqLen}). */
    DataSource open(int batchSize, int seqLen, int validationBatches, long seed);

    /** The longest sequence a batch can have. */
    int longestSequence(int seqLen);

    ObjectNode toJson();

    record Text(Path file, Path tokenizer, double validationFraction) implements DataConfig {
        @Override
        public DataSource open(int batchSize, int seqLen, int validationBatches, long seed) {
            return new TextData(TokenStream.read(file, tokenizer), batchSize, seqLen, validationFraction,
                    validationBatches, seed);
        }

        @Override public int longestSequence(int seqLen) { return seqLen; }

        @Override
        public ObjectNode toJson() {
            ObjectNode o = JsonNodeFactory.instance.objectNode().put("type", "text").put("file", file.toString());
            if (tokenizer == null) o.putNull("tokenizer"); else o.put("tokenizer", tokenizer.toString());
            return o.put("validation_fraction", validationFraction);
        }
    }

    record Parity(ParityTask train, ParityTask test) implements DataConfig {
        @Override
        public DataSource open(int batchSize, int seqLen, int validationBatches, long seed) {
            return new ParityData(train, test, batchSize, validationBatches, seed);
        }

        @Override public int longestSequence(int seqLen) { return Math.max(train.maxLength(), test.maxLength()); }

        @Override
        public ObjectNode toJson() {
            ObjectNode o = JsonNodeFactory.instance.objectNode().put("type", "parity");
            o.putArray("train_lengths").add(train.minLength()).add(train.maxLength());
            o.putArray("test_lengths").add(test.minLength()).add(test.maxLength());
            // written only when not the default, so run.json of earlier runs (and their resume check) stays as it was
            if (train.targets() != ParityTask.Targets.LAST) o.put("targets", train.targets().id());
            return o;
        }
    }

    static DataConfig parse(ConfigNode c) {
        String type = c.getChoice("type", null, TYPES);
        if (type == null) throw new ConfigError(c.name("type"), "is required: text or parity");
        DataConfig d;
        if (type.equals("text")) {
            String file = c.getString("file", null);
            if (file == null) throw new ConfigError(c.name("file"), "is required: the training text");
            String tok = c.getString("tokenizer", null);
            double frac = c.getDouble("validation_fraction", 0.1);
            if (!(frac > 0 && frac < 1)) {
                throw new ConfigError(c.name("validation_fraction"), "invalid value " + frac + " (expected a number in (0, 1))");
            }
            d = new Text(Path.of(file), tok == null ? null : Path.of(tok), frac);
        } else {
            String targets = c.getChoice("targets", "last", "last", "every");
            // the training strings' targets; the test lengths are always scored at the last bit only
            d = new Parity(lengths(c, "train_lengths", ParityTask.TRAIN)
                    .withTargets(ParityTask.Targets.valueOf(targets.toUpperCase(java.util.Locale.ROOT))),
                    lengths(c, "test_lengths", ParityTask.TEST));
        }
        c.finish();
        return d;
    }

    private static ParityTask lengths(ConfigNode c, String key, ParityTask def) {
        List<Integer> l = c.getIntList(key);
        if (l == null) return def;
        if (l.size() != 2 || l.get(0) < 1 || l.get(1) < l.get(0)) {
            throw new ConfigError(c.name(key), "invalid value " + l + " (expected [min, max] with 1 <= min <= max)");
        }
        return new ParityTask(l.get(0), l.get(1));
    }
}
