package xlstm.codegen.autodiff;

import xlstm.codegen.pass.CommonSubexpressions;
import xlstm.codegen.pass.DeadCode;
import xlstm.codegen.pass.Exprs;
import xlstm.dsl.ir.BinOp;
import xlstm.dsl.ir.Builtin;
import xlstm.dsl.ir.CellIR;
import xlstm.dsl.ir.Decl;
import xlstm.dsl.ir.Expr;
import xlstm.dsl.ir.IrVerifier;
import xlstm.dsl.ir.Stmt;
import xlstm.dsl.ir.Type;
import xlstm.dsl.ir.Typing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static xlstm.codegen.autodiff.Algebra.AD;
import static xlstm.codegen.autodiff.Algebra.c;
import static xlstm.codegen.autodiff.Algebra.call;
import static xlstm.codegen.autodiff.Algebra.div;
import static xlstm.codegen.autodiff.Algebra.mul;
import static xlstm.codegen.autodiff.Algebra.neg;
import static xlstm.codegen.autodiff.Algebra.reduceTo;
import static xlstm.codegen.autodiff.Algebra.spread;
import static xlstm.codegen.autodiff.Algebra.sub;

/**
 * Reverse-mode differentiation of a cell's step: derives the {@link AdjointCell}. The adjoint body first recomputes
 * the forward step (products and reductions as lets of their own, so that their derivatives reuse them; next
 * states and outputs become lets), then walks the forward definitions backwards, summing the cotangent of each
 * definition from its uses and pushing it through the definition's expression tree by the rule of each node.
 * Dead-code elimination removes the forward values the derivatives do not read; common subexpressions (the
 * operands a rule reuses) become lets.
 */
public final class Adjoint {
    private final CellIR fwd;
    private final Names names;
    /** cotangent contributions by forward reference key ({@code kind:name}) */
    private final Map<String, List<Expr>> ct = new HashMap<>();
    /** adjoint-side names of forward next states and outputs */
    private final Map<String, String> nextName = new HashMap<>(), outName = new HashMap<>();
    private final Map<String, String> flags = new LinkedHashMap<>();
    /** a value of each type, to spread scalar cotangents over vecs and mats */
    private final Map<Type, Expr> witness = new HashMap<>();
    private final List<Stmt> body = new ArrayList<>();

    private Adjoint(CellIR forward) {
        this.fwd = forward;
        this.names = new Names(forward);
    }

    /** The adjoint of a cell or kernel (named {@code <unit>_grad}), verified. */
    public static AdjointCell derive(CellIR forward) {
        return new Adjoint(forward).run();
    }

    private static String key(Expr.RefKind kind, String name) { return kind + ":" + name; }

    private static String key(Stmt s) { return key(s.refKind(), s.name()); }

    private AdjointCell run() {
        // declarations
        List<Decl> inputs = new ArrayList<>(), states = new ArrayList<>(), outputs = new ArrayList<>();
        for (Decl d : fwd.inputs()) inputs.add(d);
        for (Decl d : fwd.states()) inputs.add(Decl.input(d.name(), d.type(), d.pos()));
        for (Decl d : fwd.outputs()) inputs.add(Decl.input(names.required(AdjointCell.d(d.name())), d.type(), d.pos()));
        for (String s : xlstm.codegen.interp.Interpreter.allZeroStates(fwd).stream().sorted().toList()) {
            String f = names.fresh("allzero_" + s);
            flags.put(s, f);
            inputs.add(Decl.input(f, Type.SCALAR, fwd.pos()));
        }
        for (Decl d : fwd.states()) states.add(Decl.state(names.required(AdjointCell.d(d.name())), d.type(), 0, d.pos()));
        // a cell accumulates weight cotangents in states; a kernel (no states) outputs each row's share
        for (Decl d : fwd.weights())
            if (fwd.isCell()) states.add(Decl.state(names.required(AdjointCell.d(d.name())), d.type(), 0, d.pos()));
        for (Decl d : fwd.inputs()) outputs.add(Decl.output(names.required(AdjointCell.d(d.name())), d.type(), d.pos()));
        if (!fwd.isCell())
            for (Decl d : fwd.weights()) outputs.add(Decl.output(names.required(AdjointCell.d(d.name())), d.type(), d.pos()));
        for (Decl d : inputs) witness.putIfAbsent(d.type(), new Expr.Ref(Expr.RefKind.INPUT, d.name(), d.type(), AD));
        for (Decl d : fwd.weights()) witness.putIfAbsent(d.type(), new Expr.Ref(Expr.RefKind.WEIGHT, d.name(), d.type(), AD));

        // the forward step, recomputed
        List<Stmt> steps = productsAsLets(fwd.body());
        for (Stmt s : steps) {
            String n = switch (s.kind()) {
                case LET -> s.name();
                case NEXT_STATE -> nextName.computeIfAbsent(s.name(), x -> names.fresh(x + "_next"));
                case OUTPUT -> outName.computeIfAbsent(s.name(), x -> names.fresh(x + "_out"));
            };
            body.add(Stmt.let(n, ren(s.value()), s.pos()));
            witness.putIfAbsent(s.type(), new Expr.Ref(Expr.RefKind.LET, n, s.type(), AD));
        }

        // seeds: output cotangents are inputs, next-state cotangents the adjoint's states
        for (Decl d : fwd.outputs())
            contribute(key(Expr.RefKind.OUTPUT, d.name()), new Expr.Ref(Expr.RefKind.INPUT, AdjointCell.d(d.name()), d.type(), AD));
        // (a state the step does not update keeps its value: its cotangent passes to the state before the step)
        for (Decl d : fwd.states()) {
            boolean updated = fwd.def(Stmt.Kind.NEXT_STATE, d.name()).isPresent();
            contribute(key(updated ? Expr.RefKind.NEXT_STATE : Expr.RefKind.STATE, d.name()),
                    new Expr.Ref(Expr.RefKind.STATE, AdjointCell.d(d.name()), d.type(), AD));
        }

        // reverse sweep
        for (int k = steps.size() - 1; k >= 0; k--) {
            Stmt s = steps.get(k);
            Expr total = Algebra.sum(ct.getOrDefault(key(s), List.of()));
            if (total == null || !s.type().isReal()) continue;
            Expr g = total;
            if (!(total instanceof Expr.Ref)) {
                String n = names.fresh("d_" + s.name() + (s.kind() == Stmt.Kind.NEXT_STATE ? "_next" : ""));
                body.add(Stmt.let(n, total, s.pos()));
                g = new Expr.Ref(Expr.RefKind.LET, n, total.type(), AD);
            }
            back(s.value(), g);
        }

        // cotangents of the old states, weight accumulators, input cotangents
        for (Decl d : fwd.states()) {
            Expr witnessRef = new Expr.Ref(Expr.RefKind.STATE, AdjointCell.d(d.name()), d.type(), AD);
            body.add(Stmt.next(AdjointCell.d(d.name()), exact(total(Expr.RefKind.STATE, d.name()), d.type(), witnessRef), d.pos()));
        }
        for (Decl d : fwd.isCell() ? fwd.weights() : List.<Decl>of()) { // a kernel's are outputs, below
            Expr t = total(Expr.RefKind.WEIGHT, d.name());
            if (t == null) continue;
            Expr acc = new Expr.Ref(Expr.RefKind.STATE, AdjointCell.d(d.name()), d.type(), AD);
            body.add(Stmt.next(AdjointCell.d(d.name()), spread(Algebra.add(acc, t), d.type(), acc), d.pos()));
        }
        for (Decl d : fwd.inputs()) {
            Expr witnessRef = new Expr.Ref(Expr.RefKind.INPUT, d.name(), d.type(), AD);
            body.add(Stmt.output(AdjointCell.d(d.name()), exact(total(Expr.RefKind.INPUT, d.name()), d.type(), witnessRef), d.pos()));
        }
        if (!fwd.isCell())
            for (Decl d : fwd.weights()) {
                Expr witnessRef = new Expr.Ref(Expr.RefKind.WEIGHT, d.name(), d.type(), AD);
                body.add(Stmt.output(AdjointCell.d(d.name()), exact(total(Expr.RefKind.WEIGHT, d.name()), d.type(), witnessRef), d.pos()));
            }

        CellIR ir = new CellIR(fwd.kind(), fwd.name() + "_grad", fwd.dims(), inputs, fwd.weights(), states, outputs,
                fwd.params(), body, fwd.pos());
        ir = new CommonSubexpressions().run(new DeadCode().run(ir));
        IrVerifier.check(ir);
        return new AdjointCell(fwd, ir, flags);
    }

    private Expr total(Expr.RefKind kind, String name) { return Algebra.sum(ct.getOrDefault(key(kind, name), List.of())); }

    /** A cotangent of exactly type t (zero when there is none). */
    private static Expr exact(Expr total, Type t, Expr witnessRef) {
        if (total == null) return t.rank() == 0 ? c(0) : spread(c(0), t, witnessRef);
        return spread(total, t, witnessRef);
    }

    private void contribute(String key, Expr g) { ct.computeIfAbsent(key, x -> new ArrayList<>()).add(g); }

    /** The forward's products and reductions below the root of a definition become lets of their own. */
    private List<Stmt> productsAsLets(List<Stmt> forwardBody) {
        List<Stmt> out = new ArrayList<>();
        for (Stmt s : forwardBody) {
            Expr root = s.value();
            Expr v = Exprs.rewrite(root, e -> {
                if (e == root || !(e instanceof Expr.Call c)) return e;
                if (c.fn() != Builtin.DOT && c.fn() != Builtin.MATVEC && c.fn() != Builtin.SUM) return e;
                String n = names.fresh(c.fn().dslName());
                out.add(Stmt.let(n, e, s.pos()));
                return new Expr.Ref(Expr.RefKind.LET, n, e.type(), e.pos());
            });
            out.add(s.withValue(v));
        }
        return out;
    }

    /** A forward expression in the adjoint's names: states are inputs, next states and outputs lets. */
    private Expr ren(Expr e) {
        return Exprs.rewrite(e, x -> switch (x) {
            case Expr.Ref r when r.kind() == Expr.RefKind.STATE -> new Expr.Ref(Expr.RefKind.INPUT, r.name(), r.type(), r.pos());
            case Expr.Ref r when r.kind() == Expr.RefKind.NEXT_STATE ->
                    new Expr.Ref(Expr.RefKind.LET, nextName.get(r.name()), r.type(), r.pos());
            case Expr.Ref r when r.kind() == Expr.RefKind.OUTPUT ->
                    new Expr.Ref(Expr.RefKind.LET, outName.get(r.name()), r.type(), r.pos());
            case Expr.Call c when c.fn() == Builtin.ALL_ZERO -> {
                String s = ((Expr.Ref) c.arg(0)).name();
                yield Typing.binary(BinOp.NE, new Expr.Ref(Expr.RefKind.INPUT, flags.get(s), Type.SCALAR, c.pos()), c(0), c.pos());
            }
            default -> x;
        });
    }

    /** True when e is real and depends on something with a cotangent (not only params, dims and constants). */
    private static boolean differentiable(Expr e) {
        return e.type().isReal() && Exprs.any(e, x -> x instanceof Expr.Ref r && r.type().isReal()
                && r.kind() != Expr.RefKind.PARAM && r.kind() != Expr.RefKind.DIM);
    }

    /** Pushes the cotangent g of forward expression e to the references below it. */
    private void back(Expr e, Expr g) {
        if (g == null || !differentiable(e)) return;
        switch (e) {
            case Expr.Ref r -> contribute(key(r.kind(), r.name()), g);
            case Expr.Unary u -> back(u.x(), neg(g));
            case Expr.Binary b -> binary(b, g);
            case Expr.Call c -> builtin(c, g);
            default -> { }
        }
    }

    private void binary(Expr.Binary b, Expr g) {
        Expr a = b.a(), bb = b.b();
        switch (b.op()) {
            case ADD -> { back(a, reduceTo(g, a.type())); back(bb, reduceTo(g, bb.type())); }
            case SUB -> { back(a, reduceTo(g, a.type())); back(bb, reduceTo(neg(g), bb.type())); }
            case MUL -> {
                if (differentiable(a)) back(a, reduceTo(mul(g, ren(bb)), a.type()));
                if (differentiable(bb)) back(bb, reduceTo(mul(g, ren(a)), bb.type()));
            }
            case DIV -> {
                Expr den = ren(bb);
                if (differentiable(a)) back(a, reduceTo(div(g, den), a.type()));
                if (differentiable(bb)) back(bb, reduceTo(neg(div(mul(g, ren(a)), mul(den, den))), bb.type()));
            }
            default -> { } // comparisons and logic are bool: no cotangent
        }
    }

    private void builtin(Expr.Call c, Expr g) {
        Builtin fn = c.fn();
        switch (fn) {
            case MAX, MIN -> {
                // subgradient to the selected argument; ties select the first
                Expr a = c.arg(0), b = c.arg(1), A = ren(a), B = ren(b);
                Expr second = call(Builtin.HEAVISIDE, fn == Builtin.MAX ? sub(B, A) : sub(A, B));
                if (differentiable(a)) back(a, reduceTo(mul(g, sub(c(1), second)), a.type()));
                if (differentiable(b)) back(b, reduceTo(mul(g, second), b.type()));
            }
            case SOFTCAP -> {
                Expr x = c.arg(0), cap = c.arg(1), X = ren(x), CAP = ren(cap);
                Expr t = call(Builtin.TANH, div(X, CAP)), slope = sub(c(1), mul(t, t));
                back(x, mul(g, slope));
                if (differentiable(cap)) back(cap, reduceTo(mul(g, sub(t, mul(div(X, CAP), slope))), cap.type()));
            }
            case OUTER -> {
                Expr G = spread(g, c.type(), witness(c));
                if (differentiable(c.arg(0))) back(c.arg(0), call(Builtin.MATVEC, G, ren(c.arg(1))));
                if (differentiable(c.arg(1))) back(c.arg(1), call(Builtin.MATVEC, ren(c.arg(0)), G));
            }
            case DOT -> {
                if (differentiable(c.arg(0))) back(c.arg(0), mul(g, ren(c.arg(1))));
                if (differentiable(c.arg(1))) back(c.arg(1), mul(g, ren(c.arg(0))));
            }
            case MATVEC -> {
                Expr G = spread(g, c.type(), witness(c));
                if (Builtin.isVecMat(c)) { // y = x^T M
                    Expr x = c.arg(0), m = c.arg(1);
                    if (differentiable(x)) back(x, call(Builtin.MATVEC, ren(m), G));
                    if (differentiable(m)) back(m, call(Builtin.OUTER, ren(x), G));
                } else { // y = M x
                    Expr m = c.arg(0), x = c.arg(1);
                    if (differentiable(m)) back(m, call(Builtin.OUTER, G, ren(x)));
                    if (differentiable(x)) back(x, call(Builtin.MATVEC, G, ren(m)));
                }
            }
            case SUM -> back(c.arg(0), g);
            case WHERE -> {
                // no cotangent for the condition
                Expr cond = ren(c.arg(0));
                back(c.arg(1), reduceTo(call(Builtin.WHERE, cond, g, c(0)), c.arg(1).type()));
                back(c.arg(2), reduceTo(call(Builtin.WHERE, cond, c(0), g), c.arg(2).type()));
            }
            case ALL_ZERO -> { } // bool
            default -> {
                Expr d = Rules.derivative(fn, ren(c.arg(0)));
                if (d != null) back(c.arg(0), mul(g, d));
            }
        }
    }

    /** A value of the type of node c to spread a scalar over: a declaration or let of that type, else c itself. */
    private Expr witness(Expr c) {
        Expr w = witness.get(c.type());
        return w != null ? w : ren(c);
    }
}
