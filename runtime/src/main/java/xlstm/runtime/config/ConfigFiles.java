package xlstm.runtime.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Function;
import xlstm.runtime.UserError;

/** Reading config dictionaries from JSON and YAML files, with errors that name the file. */
public final class ConfigFiles {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ConfigFiles() {}

    /** True for {@code .yaml} / {@code .yml} files. */
    public static boolean isYaml(Path file) {
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".yaml") || n.endsWith(".yml");
    }

    /** Parses a JSON file ({@code .json}) or a YAML file ({@code .yaml}, {@code .yml}) into a tree. */
    public static JsonNode read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new UserError(file + ": no such file");
        } catch (IOException e) {
            throw new UserError(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        return parseText(text, isYaml(file), file.toString());
    }

    /** Parses JSON or YAML text; {@code source} names it in errors. */
    public static JsonNode parseText(String text, boolean yaml, String source) {
        try {
            JsonNode n = (yaml ? YAML : JSON).readTree(text);
            if (n == null || n.isMissingNode()) throw new UserError(source + ": empty config file");
            return n;
        } catch (JacksonException e) {
            String msg = e.getOriginalMessage().lines().findFirst().orElse("");
            var loc = e.getLocation();
            String where = loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
            throw new UserError(source + ": not valid " + (yaml ? "YAML" : "JSON") + where + ": " + msg, e);
        }
    }

    /** Reads {@code file} and parses it with {@code parser}; a {@link UserError} gets the file name in front. */
    public static <T> T parse(Path file, Function<JsonNode, T> parser) {
        JsonNode n = read(file);
        try {
            return parser.apply(n);
        } catch (UserError e) {
            throw new UserError(file + ": " + e.getMessage(), e);
        }
    }

    /** Writes a config dictionary as pretty JSON, or YAML for a {@code .yaml}/{@code .yml} name. */
    public static void write(Path file, JsonNode config) {
        try {
            ObjectMapper m = isYaml(file) ? YAML : JSON;
            Files.writeString(file, m.writerWithDefaultPrettyPrinter().writeValueAsString(config));
        } catch (IOException e) {
            throw new UserError(file + ": cannot write (" + e.getMessage() + ")", e);
        }
    }
}
