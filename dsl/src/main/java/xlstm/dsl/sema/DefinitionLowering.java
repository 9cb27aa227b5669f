package xlstm.dsl.sema;

import java.util.List;
import java.util.Optional;

import xlstm.dsl.ast.Definition;
import xlstm.dsl.ast.DefinitionKind;
import xlstm.dsl.ir.CellIR;
import xlstm.dsl.ir.IrException;
import xlstm.dsl.ir.IrVerifier;
import xlstm.dsl.ir.Stmt;

/** One {@code cell} or {@code kernel}: header, then body; the IR only when the definition had no error. */
final class DefinitionLowering {
    private DefinitionLowering() {}

    static Optional<CellIR> lower(Definition definition, Diagnostics diagnostics) {
        int errorsBefore = diagnostics.count();
        Header header = HeaderChecker.check(definition, diagnostics);
        List<Stmt> body = BodyLowering.lower(definition, header, diagnostics);
        if (diagnostics.count() > errorsBefore) return Optional.empty();
        CellIR.Kind kind = definition.kind() == DefinitionKind.CELL ? CellIR.Kind.CELL : CellIR.Kind.KERNEL;
        CellIR cell = new CellIR(kind, definition.name().name(), header.dims(), header.inputs(), header.weights(),
                header.states(), header.outputs(), header.params(), body, Positions.ir(definition.name().pos()));
        // the IR's own structural checks must agree with ours; anything they find is reported at its position
        List<IrException> violations = IrVerifier.verify(cell);
        violations.forEach(diagnostics::error);
        return violations.isEmpty() ? Optional.of(cell) : Optional.empty();
    }
}
