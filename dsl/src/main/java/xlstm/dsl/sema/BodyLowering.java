package xlstm.dsl.sema;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import xlstm.dsl.ast.Assignment;
import xlstm.dsl.ast.Block;
import xlstm.dsl.ast.Definition;
import xlstm.dsl.ast.DefinitionKind;
import xlstm.dsl.ast.Position;
import xlstm.dsl.ir.Decl;
import xlstm.dsl.ir.Expr;
import xlstm.dsl.ir.Stmt;
import xlstm.dsl.ir.Type;

/**
 * Checks the statements of a block and lowers them to IR statements, in order. What an assignment defines follows
 * from its target: {@code s' = } a state's next value, {@code h = } an output, any new name a local. Each is
 * defined once; outputs must be assigned, and (in cells) every state must get its next value: a state that never
 * changes is almost certainly a forgotten update, and a constant belongs in a weight or param.
 */
final class BodyLowering {
    private final Header header;
    private final Diagnostics diagnostics;
    private final BodyScope scope;
    private final ExprLowering exprs;
    private final List<Stmt> body = new ArrayList<>();

    private BodyLowering(Header header, Block block, Diagnostics diagnostics) {
        this.header = header;
        this.diagnostics = diagnostics;
        this.scope = new BodyScope(localsOf(block));
        this.exprs = new ExprLowering(header, scope, diagnostics);
    }

    static List<Stmt> lower(Definition definition, Header header, Diagnostics diagnostics) {
        Optional<Block> block = theBlock(definition, diagnostics);
        if (block.isEmpty()) return List.of();
        BodyLowering lowering = new BodyLowering(header, block.get(), diagnostics);
        for (Assignment a : block.get().statements()) lowering.statement(a);
        lowering.checkOutputsAssigned();
        if (definition.kind() == DefinitionKind.CELL) lowering.checkStatesUpdated();
        return lowering.body;
    }

    /** The single step (cell) or body (kernel) block; other counts and keywords are reported. */
    private static Optional<Block> theBlock(Definition definition, Diagnostics diagnostics) {
        String what = definition.kind().keyword() + " '" + definition.name() + "'";
        String keyword = definition.kind().blockKeyword();
        if (definition.blocks().isEmpty()) {
            diagnostics.error(definition.name().pos(), what + " has no " + keyword + " { ... } block");
            return Optional.empty();
        }
        for (Block extra : definition.blocks().subList(1, definition.blocks().size()))
            diagnostics.error(extra.pos(), what + " has more than one " + keyword + " block");
        Block block = definition.blocks().getFirst();
        if (!block.keyword().equals(keyword))
            diagnostics.error(block.pos(), "the statements of a " + definition.kind().keyword() + " go in a '" + keyword
                    + "' block, not '" + block.keyword() + "'");
        return Optional.of(block);
    }

    /** First definition of every local, so that a too-early use can say where the name is defined. */
    private Map<String, Position> localsOf(Block block) {
        Map<String, Position> locals = new HashMap<>();
        for (Assignment a : block.statements())
            if (!a.next() && header.lookup(a.target().name()).isEmpty()) locals.putIfAbsent(a.target().name(), a.pos());
        return locals;
    }

    private void statement(Assignment a) {
        Optional<Expr> value = exprs.lower(a.value());
        if (a.next()) nextState(a, value);
        else plain(a, value);
    }

    private void nextState(Assignment a, Optional<Expr> value) {
        String name = a.target().name();
        Optional<Symbol> symbol = header.lookup(name);
        if (symbol.orElse(null) instanceof Symbol.Invalid) return;
        if (!(symbol.orElse(null) instanceof Symbol.TensorSymbol t) || t.decl().role() != Decl.Role.STATE) {
            String what = symbol.map(Symbol::describe)
                    .or(() -> scope.local(name).map(l -> "local '" + name + "'"))
                    .orElse("'" + name + "'");
            diagnostics.error(a.target().pos(), "cannot assign " + name + "': " + what + " is not a state, and only "
                    + "states have a next value");
            return;
        }
        Optional<BodyScope.Defined> earlier = scope.nextState(name);
        if (earlier.isPresent()) {
            diagnostics.error(a.target().pos(), "the next value of state '" + name + "' is assigned twice; first at "
                    + earlier.get().pos().lineCol());
            return;
        }
        Optional<Expr> checked = value.filter(v -> sameType(a, "state '" + name + "'", t.decl().type(), v));
        scope.defineNextState(name, a.pos(), checked.map(Expr::type));
        checked.ifPresent(v -> body.add(Stmt.next(name, v, Positions.ir(a.pos()))));
    }

    private void plain(Assignment a, Optional<Expr> value) {
        String name = a.target().name();
        Optional<Symbol> symbol = header.lookup(name);
        switch (symbol.orElse(null)) {
            case null -> local(a, value);
            case Symbol.Invalid i -> { }
            case Symbol.TensorSymbol t when t.decl().role() == Decl.Role.OUTPUT -> output(a, t.decl(), value);
            case Symbol.TensorSymbol t when t.decl().role() == Decl.Role.STATE ->
                    diagnostics.error(a.target().pos(), "cannot assign to state '" + name + "' itself; its next value "
                            + "is assigned as " + name + "' = ...");
            case Symbol s -> diagnostics.error(a.target().pos(), "cannot assign to " + s.describe() + ": it is read-only");
        }
    }

    private void output(Assignment a, Decl decl, Optional<Expr> value) {
        Optional<BodyScope.Defined> earlier = scope.output(decl.name());
        if (earlier.isPresent()) {
            diagnostics.error(a.target().pos(), "output '" + decl.name() + "' is assigned twice; first at "
                    + earlier.get().pos().lineCol());
            return;
        }
        Optional<Expr> checked = value.filter(v -> sameType(a, "output '" + decl.name() + "'", decl.type(), v));
        scope.defineOutput(decl.name(), a.pos(), checked.map(Expr::type));
        checked.ifPresent(v -> body.add(Stmt.output(decl.name(), v, Positions.ir(a.pos()))));
    }

    private void local(Assignment a, Optional<Expr> value) {
        String name = a.target().name();
        Optional<BodyScope.Defined> earlier = scope.local(name);
        if (earlier.isPresent()) {
            diagnostics.error(a.target().pos(), "'" + name + "' is already defined at " + earlier.get().pos().lineCol()
                    + "; every name is defined once");
            return;
        }
        Optional<String> reserved = ReservedNames.reason(name);
        if (reserved.isPresent()) {
            diagnostics.error(a.target().pos(), reserved.get());
            return;
        }
        scope.defineLocal(name, a.pos(), value.map(Expr::type));
        value.ifPresent(v -> body.add(Stmt.let(name, v, Positions.ir(a.pos()))));
    }

    /** Outputs and next states keep their declared type exactly: no implicit broadcast of a scalar. */
    private boolean sameType(Assignment a, String what, Type declared, Expr value) {
        if (declared.equals(value.type())) return true;
        diagnostics.error(a.target().pos(), what + " is " + declared + " but the value assigned is " + value.type());
        return false;
    }

    private void checkOutputsAssigned() {
        for (Decl output : header.outputs())
            if (scope.output(output.name()).isEmpty())
                diagnostics.error(header.lookup(output.name()).orElseThrow().pos(), "output '" + output.name()
                        + "' is never assigned");
    }

    private void checkStatesUpdated() {
        for (Decl state : header.states())
            if (scope.nextState(state.name()).isEmpty())
                diagnostics.error(header.lookup(state.name()).orElseThrow().pos(), "state '" + state.name()
                        + "' never gets a next value; assign " + state.name() + "' = ... in the step block");
    }
}
