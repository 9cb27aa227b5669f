package xlstm.codegen.schedule;

import xlstm.codegen.interp.Interpreter;
import xlstm.codegen.pass.Specialize;
import xlstm.dsl.ir.CellIR;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Schedule derivation: specialises bool params, matches every variant against {@link RecurrenceMatcher} and
 * decides the schedules. Cells always get STEP and SEQUENCE; a variant whose step is a gated outer-product
 * recurrence also gets CHUNKWISE and PARALLEL (PARALLEL only when its output does not depend on the stabiliser
 * convention, i.e. normalised or un-stabilised); kernels get ROWS.
 */
public final class ScheduleDerivation {
    private ScheduleDerivation() {}

    public static ScheduledCell derive(CellIR cell) {
        List<ScheduledCell.Variant> variants = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        Set<ScheduleKind> union = EnumSet.noneOf(ScheduleKind.class);
        for (Specialize.Variant v : Specialize.variants(cell)) {
            Set<ScheduleKind> kinds = EnumSet.noneOf(ScheduleKind.class);
            LinearRecurrence lr = null;
            String why = null;
            Set<String> az = cell.isCell() ? Interpreter.allZeroStates(v.ir()) : Set.of();
            if (!cell.isCell()) {
                kinds.add(ScheduleKind.ROWS);
            } else {
                kinds.add(ScheduleKind.STEP);
                kinds.add(ScheduleKind.SEQUENCE);
                switch (RecurrenceMatcher.match(v.ir())) {
                    case RecurrenceMatcher.Match mt -> {
                        lr = mt.recurrence();
                        kinds.add(ScheduleKind.CHUNKWISE);
                        if (lr.normalised() || !lr.stabilised()) kinds.add(ScheduleKind.PARALLEL);
                        else why = "parallel form omitted: an un-normalised stabilised read-out depends on the stabiliser convention";
                    }
                    case RecurrenceMatcher.NoMatch nm -> why = nm.reason();
                }
            }
            union.addAll(kinds);
            variants.add(new ScheduledCell.Variant(v, lr, why, kinds, az));
        }
        for (ScheduledCell.Variant v : variants) {
            for (ScheduleKind k : union)
                if (!v.schedules().contains(k))
                    notes.add("variant [" + v.spec().label() + "] has no " + k.method() + " schedule of its own: "
                            + (k == ScheduleKind.CHUNKWISE ? "runs the recurrent sequence" : "runs the recurrent sequence from zero states")
                            + " (" + v.whyNot() + ")");
        }
        return new ScheduledCell(cell, variants, union, notes);
    }
}
