package xlstm.codegen;

/**
 * One file produced by an emitter.
 *
 * @param relativePath path under the output root, e.g. {@code xlstm/generated/MlstmCell.java}
 * @param unit         the cell/kernel it was compiled from
 */
public record EmittedFile(String relativePath, String unit, String content) {}
