package xlstm.dsl.sema;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Names a declaration may not take because the generated code already uses them: DSL names become Java parameter
 * names next to the size arguments of every call (docs/glue-contract.md), so they must be legal and distinct there.
 */
final class ReservedNames {
    private ReservedNames() {}

    private static final Map<String, String> GLUE_ARGUMENTS = Map.of(
            "B", "the batch size", "NH", "the number of heads", "S", "the sequence length",
            "chunkSize", "the chunk size", "rows", "the number of rows of a kernel call");

    private static final Set<String> JAVA_KEYWORDS = Set.of(
            "abstract", "assert", "boolean", "break", "byte", "case", "catch", "char", "class", "const", "continue",
            "default", "do", "double", "else", "enum", "extends", "final", "finally", "float", "for", "goto", "if",
            "implements", "import", "instanceof", "int", "interface", "long", "native", "new", "package", "private",
            "protected", "public", "return", "short", "static", "strictfp", "super", "switch", "synchronized", "this",
            "throw", "throws", "transient", "try", "void", "volatile", "while", "var", "yield", "record", "sealed",
            "permits", "null", "_");

    /** Why {@code name} cannot be declared, if it cannot. */
    static Optional<String> reason(String name) {
        if (GLUE_ARGUMENTS.containsKey(name))
            return Optional.of("'" + name + "' is reserved: generated methods take " + GLUE_ARGUMENTS.get(name)
                    + " under that name");
        if (JAVA_KEYWORDS.contains(name))
            return Optional.of("'" + name + "' is reserved: it is a keyword of the generated Java code");
        return Optional.empty();
    }
}
