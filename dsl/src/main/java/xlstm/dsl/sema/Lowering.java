package xlstm.dsl.sema;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import xlstm.dsl.DslException;
import xlstm.dsl.ast.AstFile;
import xlstm.dsl.ast.Definition;
import xlstm.dsl.ir.CellIR;
import xlstm.dsl.ir.IrModule;

/**
 * Semantic checks and lowering of parsed files into the typed IR. All errors of all files are collected and thrown
 * together as one {@link DslException}; no IR is returned unless every file is free of errors.
 */
public final class Lowering {
    private Lowering() {}

    public static List<IrModule> lower(List<AstFile> files) {
        Diagnostics diagnostics = new Diagnostics();
        Map<String, Definition> unitsByName = new HashMap<>();
        List<IrModule> modules = new ArrayList<>();
        for (AstFile file : files) {
            List<CellIR> units = new ArrayList<>();
            for (Definition d : file.definitions()) {
                // each unit becomes a generated class named after it, so names are unique across all files
                Definition earlier = unitsByName.putIfAbsent(d.name().name(), d);
                if (earlier != null) {
                    diagnostics.error(d.name().pos(), "duplicate definition of '" + d.name() + "': already defined as "
                            + earlier.kind().keyword() + " at " + earlier.name().pos());
                }
                DefinitionLowering.lower(d, diagnostics).ifPresent(units::add);
            }
            modules.add(new IrModule(file.name(), units));
        }
        diagnostics.throwIfAny();
        return modules;
    }

    public static IrModule lower(AstFile file) { return lower(List.of(file)).getFirst(); }
}
