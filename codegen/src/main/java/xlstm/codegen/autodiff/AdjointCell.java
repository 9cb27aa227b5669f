package xlstm.codegen.autodiff;

import xlstm.dsl.ir.CellIR;
import xlstm.dsl.ir.Decl;

import java.util.List;
import java.util.Map;

/**
 * The adjoint of one time step of a cell, as an ordinary {@link CellIR} ({@code ir}), and how its declarations map
 * to the forward's. Running {@code ir} as a cell in REVERSE time is the backward of a sequence:
 * <ul>
 *   <li>inputs: the forward inputs, the forward states BEFORE the step (same names, as inputs), the output
 *       cotangents {@code d<out>}, and per {@code all_zero(s)} of the forward a scalar flag input (1 = true) holding
 *       the batch-global predicate the forward saw at that step;</li>
 *   <li>weights: the forward weights;</li>
 *   <li>states: {@code d<state>} for each forward state (read: the cotangent of the state after the step; written:
 *       the cotangent of the state before it), then {@code d<weight>} per weight, a per-(batch, head) accumulator
 *       of the weight cotangent ({@code d<w>' = d<w> + contribution of this step});</li>
 *   <li>outputs: {@code d<input>} for each forward input.</li>
 * </ul>
 *
 * A kernel's adjoint is a kernel: inputs are the forward inputs and {@code d<out>}, outputs {@code d<input>} then
 * {@code d<weight>}, the share of each row (the caller sums the rows).
 *
 * @param flags the flag input of each state named in an {@code all_zero} of the forward
 */
public record AdjointCell(CellIR forward, CellIR ir, Map<String, String> flags) {
    public AdjointCell {
        flags = Map.copyOf(flags);
    }

    /** The cotangent name of a forward declaration, as in the generated API. */
    public static String d(String name) { return "d" + name; }

    public List<Decl> stateCotangents() { return ir.states().subList(0, forward.states().size()); }

    /** Cells: the weight cotangent accumulators (states of the adjoint). */
    public List<Decl> weightCotangents() { return ir.states().subList(forward.states().size(), ir.states().size()); }

    /** Kernels: the per-row weight cotangents (outputs of the adjoint after the input cotangents). */
    public List<Decl> weightRowCotangents() {
        return forward.isCell() ? List.of() : ir.outputs().subList(forward.inputs().size(), ir.outputs().size());
    }
}
