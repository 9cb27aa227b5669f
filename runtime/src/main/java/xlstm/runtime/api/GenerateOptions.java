package xlstm.runtime.api;

import java.util.List;
import xlstm.runtime.UserError;
import xlstm.runtime.generation.SamplingParams;

/**
 * What one generation does.
 *
 * @param maxNewTokens how many tokens at most ({@code >= 0})
 * @param sampling     how tokens are chosen
 * @param stop         strings that end generation (not included in the text); needs a tokenizer
 * @param stopAtEos    end at an EOS token of the checkpoint (true), or go on to {@code maxNewTokens}
 */
public record GenerateOptions(int maxNewTokens, SamplingParams sampling, List<String> stop, boolean stopAtEos) {
    public GenerateOptions {
        if (maxNewTokens < 0) throw new UserError("max new tokens must be >= 0, got " + maxNewTokens);
        if (sampling == null) sampling = SamplingParams.GREEDY;
        stop = stop == null ? List.of() : List.copyOf(stop);
    }

    /** Greedy, stopping at EOS. */
    public static GenerateOptions greedy(int maxNewTokens) {
        return new GenerateOptions(maxNewTokens, SamplingParams.GREEDY, List.of(), true);
    }

    /** Sampling with these params, stopping at EOS. */
    public static GenerateOptions sampling(int maxNewTokens, SamplingParams p) {
        return new GenerateOptions(maxNewTokens, p, List.of(), true);
    }

    public GenerateOptions withStop(List<String> strings) {
        return new GenerateOptions(maxNewTokens, sampling, strings, stopAtEos);
    }
}
