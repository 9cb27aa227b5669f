/**
 * Text to token ids and back: {@link xlstm.runtime.tokenizer.Tokenizer} runs a Hugging Face {@code tokenizer.json}
 * through DJL's binding of the Rust tokenizers library (offline), {@link xlstm.runtime.tokenizer.StreamDecoder}
 * turns generated ids into text pieces for streaming, {@link xlstm.runtime.tokenizer.Utf8} checks text input, and
 * {@link xlstm.runtime.tokenizer.Gpt2Vocab} turns GPT-2's {@code encoder.json} + {@code vocab.bpe} into a
 * {@code tokenizer.json}.
 */
package xlstm.runtime.tokenizer;
