package xlstm.dsl.sema;

import xlstm.dsl.ast.Position;
import xlstm.dsl.ir.SourcePos;

/** AST positions become IR positions unchanged (file, line and column from 1). */
final class Positions {
    private Positions() {}

    static SourcePos ir(Position pos) { return new SourcePos(pos.file(), pos.line(), pos.col()); }
}
