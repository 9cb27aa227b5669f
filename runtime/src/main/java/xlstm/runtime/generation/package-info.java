/**
 * Choosing tokens: {@link xlstm.runtime.generation.SamplingParams} (temperature, top-k, top-p, repetition penalty,
 * seed), {@link xlstm.runtime.generation.Sampler}, {@link xlstm.runtime.generation.StopStrings} and a checkpoint's
 * {@link xlstm.runtime.generation.GenerationConfig} (BOS/EOS ids, the BOS rule, sampling defaults). The generation
 * loop itself is {@link xlstm.runtime.api.Session}.
 */
package xlstm.runtime.generation;
