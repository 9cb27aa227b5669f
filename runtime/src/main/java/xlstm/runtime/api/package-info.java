/**
 * The library API for text generation with xLSTM checkpoints.
 *
 * <ul>
 *   <li>{@link xlstm.runtime.api.XlstmModel}: a loaded checkpoint folder (weights, tokenizer, generation config);
 *       {@link xlstm.runtime.api.LoadOptions} says how (dtype conversion, tokenizer file, progress, backend).</li>
 *   <li>{@link xlstm.runtime.api.Session}: one sequence and its recurrent state: feed tokens or text, read the
 *       logits, sample, generate, and feed more; later turns cost only their own tokens.</li>
 *   <li>{@link xlstm.runtime.api.GenerateOptions} with {@link xlstm.runtime.generation.SamplingParams}; results as
 *       {@link xlstm.runtime.api.Completion}; streaming through {@link xlstm.runtime.api.StreamListener}.</li>
 * </ul>
 *
 * <pre>{@code
 * try (XlstmModel lm = XlstmModel.load(Path.of("xlstm-7b"), LoadOptions.defaults().withDtype(DType.BF16))) {
 *     Session chat = lm.newSession();
 *     Completion c = chat.complete("The capital of France is",
 *             GenerateOptions.sampling(24, new SamplingParams(0.8, 40, 0.95, 1.1, 42)),
 *             StreamListener.text(System.out::print));
 *     System.out.println("\n" + c.summary());
 *     chat.complete(" And the capital of Italy is", GenerateOptions.greedy(12),
 *             StreamListener.text(System.out::print));
 * }
 * }</pre>
 *
 * <p>A runnable version is {@code examples/library-api/Generate.java} in the repository. Errors in what the caller
 * gives (files, token ids, options) are {@link xlstm.runtime.UserError}s with a one-line message.
 */
package xlstm.runtime.api;
