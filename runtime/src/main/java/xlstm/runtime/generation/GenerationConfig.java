package xlstm.runtime.generation;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import xlstm.runtime.UserError;
import xlstm.runtime.config.ConfigFiles;

/**
 * Token ids and sampling defaults of a checkpoint: {@code bos/eos/pad_token_id} from {@code config.json},
 * overridden by {@code generation_config.json} when it has them (as transformers does), plus that file's sampling
 * settings ({@code do_sample}, {@code temperature}, {@code top_k}, {@code top_p}, {@code repetition_penalty},
 * {@code max_new_tokens}), each null when absent. Other keys are ignored.
 *
 * @param bosTokenId          the beginning-of-sequence id, or null
 * @param eosTokenIds         the ids that end generation (may be empty)
 * @param padTokenId          the padding id, or null
 * @param forceBosTokenInsert xLSTM 7B's {@code force_bos_token_insert}: a prompt that does not start with BOS gets it
 */
public record GenerationConfig(Integer bosTokenId, List<Integer> eosTokenIds, Integer padTokenId,
                               boolean forceBosTokenInsert, Boolean doSample, Double temperature, Integer topK,
                               Double topP, Double repetitionPenalty, Integer maxNewTokens) {
    public static final String FILE_NAME = "generation_config.json";

    public GenerationConfig {
        eosTokenIds = eosTokenIds == null ? List.of() : List.copyOf(eosTokenIds);
    }

    /** Only token ids, no sampling defaults. */
    public static GenerationConfig of(Integer bos, List<Integer> eos, Integer pad, boolean forceBos) {
        return new GenerationConfig(bos, eos, pad, forceBos, null, null, null, null, null, null);
    }

    /** This config with {@code generation_config.json} in {@code dir} applied on top, when the file exists. */
    public GenerationConfig withFileIn(Path dir) {
        Path f = dir.resolve(FILE_NAME);
        if (!Files.isRegularFile(f)) return this;
        JsonNode n = ConfigFiles.read(f);
        if (!n.isObject()) throw new UserError(f + ": not a JSON object");
        return new GenerationConfig(
                n.has("bos_token_id") ? intOrNull(f, n, "bos_token_id") : bosTokenId,
                n.has("eos_token_id") ? intList(f, n, "eos_token_id") : eosTokenIds,
                n.has("pad_token_id") ? intOrNull(f, n, "pad_token_id") : padTokenId,
                forceBosTokenInsert,
                n.has("do_sample") ? bool(f, n, "do_sample") : doSample,
                n.has("temperature") ? number(f, n, "temperature") : temperature,
                n.has("top_k") ? intOrNull(f, n, "top_k") : topK,
                n.has("top_p") ? number(f, n, "top_p") : topP,
                n.has("repetition_penalty") ? number(f, n, "repetition_penalty") : repetitionPenalty,
                n.has("max_new_tokens") ? intOrNull(f, n, "max_new_tokens") : maxNewTokens);
    }

    private static Integer intOrNull(Path f, JsonNode n, String key) {
        JsonNode v = n.get(key);
        if (v.isNull()) return null;
        if (!v.canConvertToInt() || !v.isIntegralNumber()) throw new UserError(f + ": " + key + " must be an integer, got " + v);
        return v.intValue();
    }

    private static List<Integer> intList(Path f, JsonNode n, String key) {
        JsonNode v = n.get(key);
        List<Integer> out = new ArrayList<>();
        if (v.isNull()) return out;
        if (v.isArray()) {
            for (JsonNode e : v) {
                if (!e.isIntegralNumber()) throw new UserError(f + ": " + key + " must hold integers, got " + v);
                out.add(e.intValue());
            }
        } else if (v.isIntegralNumber()) {
            out.add(v.intValue());
        } else {
            throw new UserError(f + ": " + key + " must be an integer or a list of integers, got " + v);
        }
        return out;
    }

    private static Double number(Path f, JsonNode n, String key) {
        JsonNode v = n.get(key);
        if (v.isNull()) return null;
        if (!v.isNumber()) throw new UserError(f + ": " + key + " must be a number, got " + v);
        return v.doubleValue();
    }

    private static Boolean bool(Path f, JsonNode n, String key) {
        JsonNode v = n.get(key);
        if (v.isNull()) return null;
        if (!v.isBoolean()) throw new UserError(f + ": " + key + " must be true or false, got " + v);
        return v.booleanValue();
    }

    /** True when {@code id} ends generation. */
    public boolean isEos(long id) {
        for (int e : eosTokenIds) if (e == id) return true;
        return false;
    }

    /**
     * The BOS rule: with {@code force_bos_token_insert} and a BOS id, a prompt that does not already start with
     * BOS gets it in front; otherwise the ids are returned as they are.
     */
    public long[] applyBos(long[] ids) {
        if (!forceBosTokenInsert || bosTokenId == null) return ids;
        if (ids.length > 0 && ids[0] == bosTokenId) return ids;
        long[] out = new long[ids.length + 1];
        out[0] = bosTokenId;
        System.arraycopy(ids, 0, out, 1, ids.length);
        return out;
    }
}
