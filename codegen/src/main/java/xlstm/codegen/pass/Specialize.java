package xlstm.codegen.pass;

import xlstm.dsl.ir.CellIR;
import xlstm.dsl.ir.Expr;
import xlstm.dsl.ir.Param;
import xlstm.dsl.ir.Stmt;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Specialisation of bool params: one variant of the cell per assignment of its bool params (2^k variants), with
 * each such param replaced by a constant and then folded ({@link ConstantFold}) and cleaned ({@link DeadCode}).
 * The emitted entry points keep the bool argument and dispatch to the variant.
 */
public final class Specialize {
    private Specialize() {}

    /** A variant: the bool assignment and the specialised IR. */
    public record Variant(Map<String, Boolean> bools, CellIR ir) {
        /** e.g. {@code normalize=true}; empty when there are no bool params. */
        public String label() {
            StringBuilder sb = new StringBuilder();
            bools.forEach((k, v) -> sb.append(sb.isEmpty() ? "" : ", ").append(k).append('=').append(v));
            return sb.toString();
        }

        /** A Java-identifier-safe suffix, e.g. {@code _normalize} / {@code _noNormalize}; empty without bools. */
        public String suffix() {
            StringBuilder sb = new StringBuilder();
            bools.forEach((k, v) -> sb.append('_').append(v ? k : "no" + Character.toUpperCase(k.charAt(0)) + k.substring(1)));
            return sb.toString();
        }
    }

    public static List<Variant> variants(CellIR cell) {
        List<Param> bools = cell.params().stream().filter(Param::isBool).toList();
        if (bools.size() > 6) throw new IllegalArgumentException(cell.name() + ": too many bool params to specialise (" + bools.size() + ")");
        List<Variant> out = new ArrayList<>();
        // the default assignment first, so that variant 0 is what a call with defaults runs
        for (int mask = 0; mask < (1 << bools.size()); mask++) {
            Map<String, Boolean> assign = new LinkedHashMap<>();
            for (int k = 0; k < bools.size(); k++) {
                boolean flip = ((mask >> k) & 1) != 0;
                assign.put(bools.get(k).name(), bools.get(k).defaultBool() != flip);
            }
            out.add(new Variant(assign, specialise(cell, assign)));
        }
        return out;
    }

    public static CellIR specialise(CellIR cell, Map<String, Boolean> assign) {
        if (assign.isEmpty()) return cell;
        List<Stmt> body = new ArrayList<>();
        for (Stmt s : cell.body())
            body.add(s.withValue(Exprs.rewrite(s.value(), e -> e instanceof Expr.Ref r && r.kind() == Expr.RefKind.PARAM
                    && assign.containsKey(r.name()) ? new Expr.BoolConst(assign.get(r.name()), r.pos()) : e)));
        return new DeadCode().run(new ConstantFold().run(cell.withBody(body)));
    }
}
