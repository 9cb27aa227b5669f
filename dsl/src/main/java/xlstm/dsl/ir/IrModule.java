package xlstm.dsl.ir;

import java.util.List;

/** The IR of one source file: its cells and kernels in source order. */
public record IrModule(String file, List<CellIR> units) {
    public IrModule {
        units = List.copyOf(units);
    }

    @Override public String toString() { return IrPrinter.print(this); }
}
