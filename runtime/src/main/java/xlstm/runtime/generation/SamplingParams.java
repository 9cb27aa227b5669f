package xlstm.runtime.generation;

import xlstm.runtime.UserError;

/**
 * How the next token is chosen from the logits, in transformers' order: the repetition penalty, then the
 * temperature, top-k, top-p, and a draw. Temperature 0 is greedy (arg-max, after the repetition penalty; the
 * seed is then unused).
 *
 * @param temperature       {@code >= 0}; 0 = greedy, 1 = the model's distribution
 * @param topK              keep the k most likely tokens; 0 = all
 * @param topP              nucleus: keep the smallest set of most likely tokens whose probability reaches p; in (0, 1]
 * @param repetitionPenalty {@code > 0}; logits of tokens already in the sequence (prompt included) are divided by it
 *                          when positive and multiplied when negative (CTRL's rule, as transformers); 1 = none
 * @param seed              the random seed: the same seed, prompt and settings give the same tokens
 */
public record SamplingParams(double temperature, int topK, double topP, double repetitionPenalty, long seed) {
    /** Greedy decoding. */
    public static final SamplingParams GREEDY = new SamplingParams(0, 0, 1, 1, 0);

    public SamplingParams {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new UserError("temperature must be >= 0 (0 = greedy), got " + temperature);
        }
        if (topK < 0) throw new UserError("top-k must be >= 0 (0 = no limit), got " + topK);
        if (!(topP > 0 && topP <= 1)) throw new UserError("top-p must be in (0, 1] (1 = no limit), got " + topP);
        if (!(repetitionPenalty > 0) || Double.isInfinite(repetitionPenalty)) {
            throw new UserError("repetition penalty must be > 0 (1 = none), got " + repetitionPenalty);
        }
    }

    /** Sampling at {@code temperature} with a seed, no other limits. */
    public static SamplingParams sample(double temperature, long seed) {
        return new SamplingParams(temperature, 0, 1, 1, seed);
    }

    public boolean greedy() { return temperature == 0; }

    public SamplingParams withSeed(long s) { return new SamplingParams(temperature, topK, topP, repetitionPenalty, s); }
}
