package xlstm.dsl.ast;

/** A recurrent {@code cell} (statements in {@code step}) or a stateless row-wise {@code kernel} ({@code body}). */
public enum DefinitionKind {
    CELL("cell", "step"), KERNEL("kernel", "body");

    private final String keyword;
    private final String blockKeyword;

    DefinitionKind(String keyword, String blockKeyword) {
        this.keyword = keyword;
        this.blockKeyword = blockKeyword;
    }

    public String keyword() { return keyword; }

    /** The keyword of the block holding the statements. */
    public String blockKeyword() { return blockKeyword; }
}
