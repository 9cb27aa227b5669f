package xlstm.codegen.autodiff;

import xlstm.dsl.ir.CellIR;
import xlstm.dsl.ir.IrException;
import xlstm.dsl.ir.Stmt;

import java.util.HashSet;
import java.util.Set;

/** The names taken in an adjoint cell, and fresh ones for the definitions autodiff adds. */
final class Names {
    private final Set<String> taken = new HashSet<>();
    private final CellIR forward;

    Names(CellIR forward) {
        this.forward = forward;
        forward.dims().forEach(d -> taken.add(d.name()));
        forward.tensorArgs().forEach(d -> taken.add(d.name()));
        forward.params().forEach(p -> taken.add(p.name()));
        for (Stmt s : forward.body()) if (s.kind() == Stmt.Kind.LET) taken.add(s.name());
    }

    /** A name fixed by the generated API ({@code "d" + name}); clashing with a name of the cell is an error. */
    String required(String name) {
        if (!taken.add(name))
            throw new IrException(forward.pos(), "autodiff of '" + forward.name() + "' needs the name '" + name
                    + "' for a cotangent, but the cell already uses it; rename it");
        return name;
    }

    /** {@code base}, or {@code base2, base3, ...} when taken. */
    String fresh(String base) {
        String n = base;
        for (int k = 2; !taken.add(n); k++) n = base + k;
        return n;
    }
}
