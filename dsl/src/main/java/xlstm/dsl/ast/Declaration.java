package xlstm.dsl.ast;

import java.util.Optional;

/**
 * {@code name: type = value}. The parser accepts every part in every section; which parts a role requires
 * (a type for tensors, a number for states, no type but float/bool for params) is checked afterwards.
 */
public record Declaration(Role role, Identifier name, Optional<TypeSyntax> type, Optional<Literal> value, Position pos) {}
