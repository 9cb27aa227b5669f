package xlstm.dsl.sema;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import xlstm.dsl.ir.Decl;
import xlstm.dsl.ir.Dim;
import xlstm.dsl.ir.Param;

/** The checked header of a definition: its declarations in IR form, and every header name with its symbol. */
record Header(List<Dim> dims, List<Decl> inputs, List<Decl> weights, List<Decl> states, List<Decl> outputs,
              List<Param> params, Map<String, Symbol> symbols) {

    Optional<Symbol> lookup(String name) { return Optional.ofNullable(symbols.get(name)); }
}
