package xlstm.codegen;

import xlstm.codegen.schedule.ScheduledCell;

import java.util.List;

/** A code generator for one {@link Target}: one scheduled cell/kernel in, its source files out. */
public interface Emitter {
    Target target();

    List<EmittedFile> emit(ScheduledCell cell);

    /**
     * Files that describe all units of one compilation together (e.g. the {@code index.tsv} of the C-family
     * targets), emitted after every unit; none by default.
     */
    default List<EmittedFile> finish(List<ScheduledCell> cells) { return List.of(); }
}
