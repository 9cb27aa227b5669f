package xlstm.dsl.sema;

import java.util.Locale;

import xlstm.dsl.ast.Position;
import xlstm.dsl.ir.Decl;
import xlstm.dsl.ir.Dim;
import xlstm.dsl.ir.Param;

/** What a name of a definition's header denotes. Locals of the body are tracked by {@link BodyScope}. */
sealed interface Symbol {

    Position pos();

    /** For messages: {@code input 'q'}, {@code dimension 'DQK'}. */
    String describe();

    record DimSymbol(Dim dim, Position pos) implements Symbol {
        public String describe() { return "dimension '" + dim.name() + "'"; }
    }

    /** An input, weight, state or output. */
    record TensorSymbol(Decl decl, Position pos) implements Symbol {
        public String describe() { return decl.role().name().toLowerCase(Locale.ROOT) + " '" + decl.name() + "'"; }
    }

    record ParamSymbol(Param param, Position pos) implements Symbol {
        public String describe() { return "param '" + param.name() + "'"; }
    }

    /** A declaration whose type or value had an error: uses and assignments stay quiet to avoid follow-up errors. */
    record Invalid(String name, String kind, Position pos) implements Symbol {
        public String describe() { return kind + " '" + name + "'"; }
    }
}
