package xlstm.runtime.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Typed, strict reading of one config dictionary (a Jackson object node) at a dotted path. Every key read
 * (or declared with {@link #accept}) is remembered; {@link #finish()} rejects the rest as unknown options.
 * A missing key or an explicit {@code null} takes the default. Numbers given as strings (YAML 1.1 reads
 * {@code 1e-6} as a string) are accepted; integers must be integral.
 */
public final class ConfigNode {
    private final JsonNode node;
    private final String path;
    private final Set<String> seen = new LinkedHashSet<>();

    private ConfigNode(JsonNode node, String path) {
        this.node = node;
        this.path = path;
    }

    /** Wraps an object node; {@code null}, a missing node or JSON null read as an empty dictionary. */
    public static ConfigNode of(JsonNode node, String path) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return new ConfigNode(JsonNodeFactory.instance.objectNode(), path);
        }
        if (!node.isObject()) {
            throw new ConfigError(path.isEmpty() ? "<root>" : path, "expected a dictionary, got " + kind(node));
        }
        return new ConfigNode(node, path);
    }

    public static ConfigNode of(JsonNode node) { return of(node, ""); }

    /** The dotted name of {@code key} under this node. */
    public String name(String key) { return path.isEmpty() ? key : path + "." + key; }

    public String path() { return path; }

    public JsonNode node() { return node; }

    /** True when the key is present with a non-null value. */
    public boolean has(String key) {
        JsonNode v = node.get(key);
        return v != null && !v.isNull();
    }

    /** True when the key is present at all (even as null). */
    public boolean present(String key) { return node.has(key); }

    /** Marks keys as known without reading them (accepted and ignored). */
    public ConfigNode accept(String... keys) {
        for (String k : keys) seen.add(k);
        return this;
    }

    /** The raw value (marks the key known); null when missing. */
    public JsonNode raw(String key) {
        seen.add(key);
        JsonNode v = node.get(key);
        return v == null || v.isNull() ? null : v;
    }

    public int getInt(String key, int def) {
        Integer v = getIntOrNull(key, def);
        return v == null ? def : v;
    }

    public Integer getIntOrNull(String key, Integer def) {
        JsonNode v = raw(key);
        if (v == null) return def;
        double d;
        if (v.isIntegralNumber()) {
            if (!v.canConvertToInt()) throw ConfigError.invalid(name(key), v.asText(), "a 32-bit integer");
            return v.intValue();
        } else if (v.isNumber()) {
            d = v.doubleValue();
        } else if (v.isTextual()) {
            try {
                d = Double.parseDouble(v.textValue().trim());
            } catch (NumberFormatException e) {
                throw ConfigError.invalid(name(key), v.textValue(), "an integer");
            }
        } else {
            throw ConfigError.invalid(name(key), v.toString(), "an integer");
        }
        if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
            throw ConfigError.invalid(name(key), v.isTextual() ? v.textValue() : d, "an integer");
        }
        return (int) d;
    }

    public double getDouble(String key, double def) {
        Double v = getDoubleOrNull(key, def);
        return v == null ? def : v;
    }

    public Double getDoubleOrNull(String key, Double def) {
        JsonNode v = raw(key);
        if (v == null) return def;
        if (v.isNumber()) return v.doubleValue();
        if (v.isTextual()) {
            String s = v.textValue().trim();
            try {
                return switch (s.toLowerCase()) {
                    case "inf", "+inf", ".inf", "infinity" -> Double.POSITIVE_INFINITY;
                    case "-inf", "-.inf", "-infinity" -> Double.NEGATIVE_INFINITY;
                    default -> Double.parseDouble(s);
                };
            } catch (NumberFormatException e) {
                throw ConfigError.invalid(name(key), s, "a number");
            }
        }
        throw ConfigError.invalid(name(key), v.toString(), "a number");
    }

    public boolean getBool(String key, boolean def) {
        JsonNode v = raw(key);
        if (v == null) return def;
        if (v.isBoolean()) return v.booleanValue();
        if (v.isTextual()) {
            String s = v.textValue().trim().toLowerCase();
            if (s.equals("true")) return true;
            if (s.equals("false")) return false;
        }
        throw ConfigError.invalid(name(key), v.isTextual() ? v.textValue() : v.toString(), "true or false");
    }

    public String getString(String key, String def) {
        JsonNode v = raw(key);
        if (v == null) return def;
        if (v.isTextual()) return v.textValue();
        throw ConfigError.invalid(name(key), v.toString(), "a string");
    }

    /** A string restricted to {@code allowed}. */
    public String getChoice(String key, String def, String... allowed) {
        String v = getString(key, def);
        if (v == null) return null;
        return ConfigError.oneOf(v, name(key), allowed);
    }

    /** A list of integers; null when missing. */
    public List<Integer> getIntList(String key) {
        JsonNode v = raw(key);
        if (v == null) return null;
        if (!v.isArray()) throw ConfigError.invalid(name(key), v.toString(), "a list of integers");
        List<Integer> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (!e.isIntegralNumber() || !e.canConvertToInt()) {
                if (e.isNumber() && e.doubleValue() == Math.rint(e.doubleValue())) {
                    out.add((int) e.doubleValue());
                    continue;
                }
                throw ConfigError.invalid(name(key), v.toString(), "a list of integers");
            }
            out.add(e.intValue());
        }
        return out;
    }

    /** A nested dictionary (marks the key known); an empty one when missing or null. */
    public ConfigNode child(String key) {
        seen.add(key);
        return of(node.get(key), name(key));
    }

    /** Rejects every key that was neither read nor accepted. */
    public void finish() {
        List<String> unknown = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!seen.contains(k)) unknown.add(k);
        }
        if (!unknown.isEmpty()) {
            List<String> known = new ArrayList<>(seen);
            throw new ConfigError(name(unknown.get(0)), "unknown option" + (unknown.size() > 1
                    ? " (also unknown: " + String.join(", ", unknown.subList(1, unknown.size())) + ")" : "")
                    + "; known options here: " + String.join(", ", known));
        }
    }

    /** Runs {@code body}, re-raising a {@link ConfigError} from a nested constructor under this node's path. */
    public <T> T build(java.util.function.Supplier<T> body) {
        try {
            return body.get();
        } catch (ConfigError e) {
            if (!path.isEmpty() && !e.option().startsWith(path + ".")) throw e.under(path);
            throw e;
        }
    }

    static ObjectNode object() { return JsonNodeFactory.instance.objectNode(); }

    private static String kind(JsonNode n) {
        if (n.isArray()) return "a list";
        if (n.isTextual()) return "the string \"" + n.textValue() + "\"";
        if (n.isNumber()) return "the number " + n.asText();
        if (n.isBoolean()) return "a boolean";
        return n.getNodeType().toString().toLowerCase();
    }
}
