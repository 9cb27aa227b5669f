package xlstm.dsl.ast;

import java.util.List;

/**
 * A {@code cell NAME(DIM, ...) { sections block }} or {@code kernel ...}. Sections and blocks are kept as written
 * (a section keyword may repeat; a wrong number of blocks is reported by the checks, not the parser).
 */
public record Definition(DefinitionKind kind, Identifier name, List<Identifier> dims, List<Section> sections,
                         List<Block> blocks, Position pos) {
    public Definition {
        dims = List.copyOf(dims);
        sections = List.copyOf(sections);
        blocks = List.copyOf(blocks);
    }

    /** All declarations of all sections, in source order. */
    public List<Declaration> declarations() {
        return sections.stream().flatMap(s -> s.declarations().stream()).toList();
    }
}
