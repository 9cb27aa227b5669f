package xlstm.dsl.ir;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One compiled unit: a recurrent {@code cell} (per head, per time step) or a stateless {@code kernel} (per row).
 * The header lists symbolic dims, inputs, weights, states (with initial value), outputs and params; the body is an
 * ordered list of SSA definitions over {@link Expr} trees. Target-neutral: nothing here knows about Java, CUDA etc.
 */
public record CellIR(Kind kind, String name, List<Dim> dims, List<Decl> inputs, List<Decl> weights, List<Decl> states,
                     List<Decl> outputs, List<Param> params, List<Stmt> body, SourcePos pos) {

    public enum Kind {
        CELL, KERNEL;

        public String keyword() { return this == CELL ? "cell" : "kernel"; }
    }

    public CellIR {
        dims = List.copyOf(dims);
        inputs = List.copyOf(inputs);
        weights = List.copyOf(weights);
        states = List.copyOf(states);
        outputs = List.copyOf(outputs);
        params = List.copyOf(params);
        body = List.copyOf(body);
        if (kind == Kind.KERNEL && !states.isEmpty())
            throw new IrException(pos, "kernel '" + name + "' cannot have states");
    }

    public boolean isCell() { return kind == Kind.CELL; }

    /** inputs, weights, states, outputs: the order of tensor arguments in every call. */
    public List<Decl> tensorArgs() {
        List<Decl> all = new ArrayList<>(inputs);
        all.addAll(weights);
        all.addAll(states);
        all.addAll(outputs);
        return all;
    }

    public Optional<Decl> decl(String name) {
        return Stream.of(inputs, weights, states, outputs).flatMap(List::stream).filter(d -> d.name().equals(name)).findFirst();
    }

    public Optional<Param> param(String name) {
        return params.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    public boolean hasDim(String name) {
        return dims.stream().anyMatch(d -> d.name().equals(name));
    }

    /** The body definition of a name of the given kind, if any. */
    public Optional<Stmt> def(Stmt.Kind k, String name) {
        return body.stream().filter(s -> s.kind() == k && s.name().equals(name)).findFirst();
    }

    public CellIR withBody(List<Stmt> newBody) {
        return new CellIR(kind, name, dims, inputs, weights, states, outputs, params, newBody, pos);
    }

    public CellIR withParams(List<Param> newParams) {
        return new CellIR(kind, name, dims, inputs, weights, states, outputs, newParams, body, pos);
    }

    @Override public String toString() { return IrPrinter.print(this); }
}
