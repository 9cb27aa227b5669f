/**
 * The typed, target-neutral IR of cells and kernels, which the DSL front-end lowers into and every codegen pass and
 * emitter consumes.
 *
 * <ul>
 *   <li>{@link xlstm.dsl.ir.Type}: {@code Scalar | Vec(dim) | Mat(rows, cols) | Bool}, symbolic {@link xlstm.dsl.ir.Dim}s.</li>
 *   <li>{@link xlstm.dsl.ir.CellIR}: kind (cell | kernel), name, dims, inputs / weights / states (with init) / outputs
 *       ({@link xlstm.dsl.ir.Decl}), params ({@link xlstm.dsl.ir.Param}, float or bool with optional default) and
 *       the ordered SSA body ({@link xlstm.dsl.ir.Stmt}: let | next-state | output).</li>
 *   <li>{@link xlstm.dsl.ir.Expr}: constants, references ({@link xlstm.dsl.ir.Expr.RefKind}: input, weight, state,
 *       next-state, let, output, param, dim), unary / binary ops, {@link xlstm.dsl.ir.Builtin} calls.</li>
 *   <li>{@link xlstm.dsl.ir.Typing}: build nodes with types inferred and checked (throws
 *       {@link xlstm.dsl.ir.IrException} with a {@link xlstm.dsl.ir.SourcePos}).</li>
 *   <li>{@link xlstm.dsl.ir.IrVerifier}: whole-cell checks (names, SSA order, types of next states and outputs).</li>
 *   <li>{@link xlstm.dsl.ir.IrPrinter}: the text form used by {@code --dump}.</li>
 * </ul>
 *
 * Lowering sketch (front-end): for {@code m' = max(lf + m, i)} emit
 * {@code Stmt.next("m", Typing.call(Builtin.MAX, pos, Typing.binary(BinOp.ADD, ref(LET lf), ref(STATE m), pos), ref(INPUT i)), pos)};
 * a later read of {@code m'} is {@code Typing.ref(RefKind.NEXT_STATE, "m", type, pos)}; {@code rsqrt(DQK)} reads the dim
 * with {@link xlstm.dsl.ir.Typing#dim}. {@code where(normalize, a, b)} with a bool param is a WHERE call whose condition
 * is a PARAM ref of type bool. Nothing here is Java- or GPU-specific; reverse-mode autodiff is meant as a later pass
 * producing another {@code CellIR}.
 */
package xlstm.dsl.ir;
