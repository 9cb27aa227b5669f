/** Checkpoint directories (Hugging Face {@code save_pretrained} layout and the xlstm repository's own). */
package xlstm.runtime.hf;
