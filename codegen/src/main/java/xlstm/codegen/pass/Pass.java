package xlstm.codegen.pass;

import xlstm.dsl.ir.CellIR;

/** A named transformation of one cell's IR. */
public interface Pass {
    /** Short name used in dumps ({@code ir.<name>}). */
    String name();

    CellIR run(CellIR cell);
}
