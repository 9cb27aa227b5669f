package xlstm.codegen.schedule;

import xlstm.dsl.ir.Dim;
import xlstm.dsl.ir.Expr;
import xlstm.dsl.ir.IrPrinter;

/**
 * The structure that chunkwise and parallel schedules need, derived from a cell's step:
 * <pre>
 *   C' = exp(LF + m - m') C + exp(LI - m') outer(key, value)      (stabilised; m' = max(LF + m, LI))
 *   C' = exp(LF) C + exp(LI) outer(key, value)                    (un-stabilised)
 *   n' = same gates * n + ... * key                               (optional normaliser state)
 *   h  = matvec(query, C') / (max(|dot(query, n')|, lower) + eps) (normalised; lower = exp(-m') when stabilised)
 *   h  = matvec(query, C')                                        (un-normalised)
 * </pre>
 * LF, LI (scalars) and key, value, query (vecs) read only the inputs of the time step, weights, params and dims.
 *
 * @param matrixState  name of C (mat[keyDim, valueDim])
 * @param normState    name of n (vec[keyDim]) or null
 * @param stabState    name of m (scalar) or null when un-stabilised
 * @param output       name of h (vec[valueDim])
 * @param lowerBound   lower bound of the denominator when un-stabilised and normalised (params/constants only); null otherwise
 * @param eps          additive epsilon of the denominator (params/constants only); null when un-normalised
 */
public record LinearRecurrence(String matrixState, String normState, String stabState, String output,
                               Dim keyDim, Dim valueDim,
                               Expr logForget, Expr logInput, Expr key, Expr value, Expr query,
                               boolean normalised, Expr lowerBound, Expr eps) {

    public boolean stabilised() { return stabState != null; }

    public boolean hasNormState() { return normState != null; }

    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append("LinearRecurrence {\n");
        sb.append("  state      ").append(matrixState).append(": mat[").append(keyDim).append(", ").append(valueDim).append("]");
        if (normState != null) sb.append(", normaliser ").append(normState).append(": vec[").append(keyDim).append("]");
        if (stabState != null) sb.append(", stabiliser ").append(stabState).append(": scalar");
        sb.append('\n');
        sb.append("  log forget ").append(IrPrinter.expr(logForget)).append('\n');
        sb.append("  log input  ").append(IrPrinter.expr(logInput)).append('\n');
        sb.append("  key        ").append(IrPrinter.expr(key)).append('\n');
        sb.append("  value      ").append(IrPrinter.expr(value)).append('\n');
        sb.append("  query      ").append(IrPrinter.expr(query)).append('\n');
        sb.append("  stabilised ").append(stabilised()).append('\n');
        sb.append("  normalised ").append(normalised);
        if (normalised) {
            sb.append(", lower bound ").append(stabilised() ? "exp(-" + stabState + "')" : IrPrinter.expr(lowerBound));
            sb.append(", eps ").append(IrPrinter.expr(eps));
        }
        sb.append("\n  output     ").append(output).append("\n}");
        return sb.toString();
    }
}
