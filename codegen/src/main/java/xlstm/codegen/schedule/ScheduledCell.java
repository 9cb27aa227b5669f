package xlstm.codegen.schedule;

import xlstm.codegen.pass.Specialize;
import xlstm.dsl.ir.CellIR;
import xlstm.dsl.ir.IrPrinter;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * A cell (or kernel) with its schedules: one {@link Variant} per specialisation of its bool params, each with the
 * derived {@link LinearRecurrence} (or why there is none) and the schedules it supports. The public schedules of
 * the unit are the union over variants; a variant without a derived recurrence runs CHUNKWISE as the recurrent
 * sequence (identical results) and PARALLEL as the sequence from zero states.
 */
public record ScheduledCell(CellIR cell, List<Variant> variants, Set<ScheduleKind> schedules, List<String> notes) {

    public record Variant(Specialize.Variant spec, LinearRecurrence recurrence, String whyNot, Set<ScheduleKind> schedules,
                          java.util.Set<String> allZeroStates) {
        public CellIR ir() { return spec.ir(); }

        public boolean hasRecurrence() { return recurrence != null; }
    }

    public String dump() {
        StringBuilder sb = new StringBuilder();
        sb.append("// scheduled IR of ").append(cell.kind().keyword()).append(' ').append(cell.name()).append('\n');
        sb.append("schedules: ").append(schedules).append('\n');
        for (String n : notes) sb.append("note: ").append(n).append('\n');
        for (Variant v : variants) {
            sb.append('\n');
            sb.append("variant").append(v.spec().bools().isEmpty() ? "" : " [" + v.spec().label() + "]")
                    .append(": schedules ").append(v.schedules()).append('\n');
            sb.append(IrPrinter.print(v.ir()));
            if (!v.allZeroStates().isEmpty())
                sb.append("all_zero over the whole (B, NH, ...) state before each step: ").append(v.allZeroStates())
                        .append(" (sequence = time loop outside the B*NH loop)\n");
            if (v.hasRecurrence()) {
                LinearRecurrence r = v.recurrence();
                sb.append(r.describe()).append('\n');
                sb.append(describeSchedules(r, v.schedules()));
            } else if (cell.isCell()) {
                sb.append("no chunkwise/parallel form: ").append(v.whyNot()).append('\n');
            }
        }
        return sb.toString();
    }

    private static String describeSchedules(LinearRecurrence r, Set<ScheduleKind> kinds) {
        StringBuilder sb = new StringBuilder();
        String m = r.stabilised() ? r.stabState() : null;
        sb.append("schedule recurrent: per (b, h), for t: the step above (C, n updated in place)\n");
        if (kinds.contains(ScheduleKind.CHUNKWISE)) {
            sb.append("schedule chunkwise(L): per (b, h), chunks [c0, c0+Lc) with Lc = min(L, S - c0):\n");
            sb.append("  lf_t = ").append(IrPrinter.expr(r.logForget())).append(", li_t = ").append(IrPrinter.expr(r.logInput()))
                    .append(", Q_t = ").append(IrPrinter.expr(r.query())).append(", K_t = ").append(IrPrinter.expr(r.key()))
                    .append(", V_t = ").append(IrPrinter.expr(r.value())).append('\n');
            sb.append("  b = cumsum(lf), g = b[Lc-1], a_t = sum_{r>t} lf_r + li_t, Dt_ts = sum_{s<r<=t} lf_r + li_s (s <= t)\n");
            if (m != null) {
                sb.append("  mc_t = max(b_t + ").append(m).append(", max_s Dt_ts), beta_t = exp(b_t + ").append(m).append(" - mc_t)\n");
                sb.append("  W = (Q K^T) * exp(Dt - mc) (lower triangle), num = beta * (Q C) + W V");
            } else {
                sb.append("  beta_t = exp(b_t), W = (Q K^T) * exp(Dt) (lower triangle), num = beta * (Q C) + W V");
            }
            if (r.normalised())
                sb.append(", den = beta * (Q n) + rowsum(W), h = num / (max(|den|, ")
                        .append(m != null ? "exp(-mc)" : IrPrinter.expr(r.lowerBound())).append(") + ").append(IrPrinter.expr(r.eps())).append(")\n");
            else sb.append(", h = num\n");
            if (m != null)
                sb.append("  state: ").append(m).append("' = max(g + ").append(m).append(", max_t a_t), ")
                        .append(r.matrixState()).append(" = exp(g + ").append(m).append(" - ").append(m).append("') ")
                        .append(r.matrixState()).append(" + K^T diag(exp(a - ").append(m).append("')) V");
            else
                sb.append("  state: ").append(r.matrixState()).append(" = exp(g) ").append(r.matrixState()).append(" + K^T diag(exp(a)) V");
            if (r.hasNormState()) sb.append(", ").append(r.normState()).append(" likewise with K^T exp(a)");
            sb.append('\n');
        }
        if (kinds.contains(ScheduleKind.PARALLEL)) {
            sb.append("schedule parallel: per (b, h), one block over the whole sequence, zero initial state:\n");
            sb.append("  Dt_ts = sum_{s<r<=t} lf_r + li_s, ")
                    .append(m != null ? "m_t = max_s Dt_ts (no m0 term), W = (Q K^T) * exp(Dt - m)" : "W = (Q K^T) * exp(Dt)")
                    .append(", h = W V").append(r.normalised() ? " / (max(|rowsum W|, " + (m != null ? "exp(-m)" : IrPrinter.expr(r.lowerBound()))
                            + ") + " + IrPrinter.expr(r.eps()) + ")" : "").append('\n');
        }
        return sb.toString();
    }
}
