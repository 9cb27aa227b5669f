package xlstm.dsl.ast;

import java.util.List;

/** One parsed source file: its definitions in source order. */
public record AstFile(String name, List<Definition> definitions) {
    public AstFile {
        definitions = List.copyOf(definitions);
    }
}
