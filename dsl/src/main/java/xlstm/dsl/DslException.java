package xlstm.dsl;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The DSL source has errors. Carries every diagnostic found; the message is one {@code file:line:col: message}
 * line per diagnostic, ready to print without a stack trace.
 */
public final class DslException extends RuntimeException {
    private final List<Diagnostic> diagnostics;

    public DslException(List<Diagnostic> diagnostics) {
        super(diagnostics.stream().map(Diagnostic::toString).collect(Collectors.joining("\n")), null, false, false);
        if (diagnostics.isEmpty()) throw new IllegalArgumentException("a DslException needs at least one diagnostic");
        this.diagnostics = List.copyOf(diagnostics);
    }

    public List<Diagnostic> diagnostics() { return diagnostics; }
}
