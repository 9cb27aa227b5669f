package xlstm.codegen.pass;

import xlstm.codegen.DumpSink;
import xlstm.dsl.ir.CellIR;
import xlstm.dsl.ir.IrPrinter;

import java.util.List;

/** Runs named passes in order over one cell, handing the IR after each to the dump sink as stage {@code ir.<pass>}. */
public final class PassManager {
    private final List<Pass> passes;

    public PassManager(List<Pass> passes) {
        this.passes = List.copyOf(passes);
    }

    /** validate, constant-fold, dead-code: the standard pipeline before scheduling. */
    public static PassManager standard() {
        return new PassManager(List.of(new Validate(), new ConstantFold(), new DeadCode()));
    }

    public List<Pass> passes() { return passes; }

    public CellIR run(CellIR cell, DumpSink dump) {
        CellIR cur = cell;
        for (Pass p : passes) {
            cur = p.run(cur);
            dump.accept("ir." + p.name(), cell.name(), IrPrinter.print(cur));
        }
        return cur;
    }
}
