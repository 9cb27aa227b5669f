package xlstm.codegen;

import xlstm.codegen.schedule.ScheduledCell;

import java.util.List;

/** A code generator for one {@link Target}: one scheduled cell/kernel in, its source files out. */
public interface Emitter {
    Target target();

    List<EmittedFile> emit(ScheduledCell cell);
}
