package xlstm.dsl.sema;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import xlstm.dsl.Diagnostic;
import xlstm.dsl.DslException;
import xlstm.dsl.ast.Position;
import xlstm.dsl.ir.IrException;

/** Collects the errors of one lowering so that all of them are reported, in source order, not just the first. */
final class Diagnostics {
    private final List<String> fileOrder = new ArrayList<>();
    private final List<Diagnostic> errors = new ArrayList<>();

    void error(Position pos, String message) { add(new Diagnostic(pos.file(), pos.line(), pos.col(), message)); }

    /** A type error found by the IR's typing rules, which carry their own position. */
    void error(IrException e) {
        add(new Diagnostic(e.pos().file(), e.pos().line(), e.pos().col(), e.getMessage()));
    }

    boolean hasErrors() { return !errors.isEmpty(); }

    int count() { return errors.size(); }

    void throwIfAny() {
        if (errors.isEmpty()) return;
        List<Diagnostic> sorted = errors.stream()
                .sorted(Comparator.comparingInt((Diagnostic d) -> fileOrder.indexOf(d.file()))
                        .thenComparingInt(Diagnostic::line).thenComparingInt(Diagnostic::col))
                .toList();
        throw new DslException(sorted);
    }

    private void add(Diagnostic d) {
        if (!fileOrder.contains(d.file())) fileOrder.add(d.file());
        errors.add(d);
    }
}
