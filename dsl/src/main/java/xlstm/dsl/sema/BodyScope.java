package xlstm.dsl.sema;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import xlstm.dsl.ast.Position;
import xlstm.dsl.ir.Type;

/**
 * What the statements defined so far, walking a block in order: locals, next values of states, and outputs.
 * A definition whose value had errors is still recorded, with no type, so later uses stay quiet.
 */
final class BodyScope {

    /** A name defined by a statement at {@code pos}; {@code type} is empty when its value did not type-check. */
    record Defined(Position pos, Optional<Type> type) {}

    private final Map<String, Position> laterLocals;
    private final Map<String, Defined> locals = new HashMap<>();
    private final Map<String, Defined> nextStates = new HashMap<>();
    private final Map<String, Defined> outputs = new HashMap<>();

    /** @param laterLocals every local the block defines, with its first definition, for "used before defined" */
    BodyScope(Map<String, Position> laterLocals) { this.laterLocals = Map.copyOf(laterLocals); }

    Optional<Defined> local(String name) { return Optional.ofNullable(locals.get(name)); }

    Optional<Defined> nextState(String name) { return Optional.ofNullable(nextStates.get(name)); }

    Optional<Defined> output(String name) { return Optional.ofNullable(outputs.get(name)); }

    /** Where a local not yet defined will be defined, if the block defines it further down. */
    Optional<Position> definedLater(String name) { return Optional.ofNullable(laterLocals.get(name)); }

    Set<String> localNames() { return locals.keySet(); }

    void defineLocal(String name, Position pos, Optional<Type> type) { locals.put(name, new Defined(pos, type)); }

    void defineNextState(String name, Position pos, Optional<Type> type) { nextStates.put(name, new Defined(pos, type)); }

    void defineOutput(String name, Position pos, Optional<Type> type) { outputs.put(name, new Defined(pos, type)); }
}
