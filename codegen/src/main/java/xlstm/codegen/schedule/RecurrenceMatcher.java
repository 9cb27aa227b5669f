package xlstm.codegen.schedule;

import xlstm.codegen.pass.Exprs;
import xlstm.dsl.ir.BinOp;
import xlstm.dsl.ir.Builtin;
import xlstm.dsl.ir.CellIR;
import xlstm.dsl.ir.Decl;
import xlstm.dsl.ir.Expr;
import xlstm.dsl.ir.SourcePos;
import xlstm.dsl.ir.Stmt;
import xlstm.dsl.ir.Type;
import xlstm.dsl.ir.UnOp;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Recognises the gated outer-product recurrence of {@link LinearRecurrence} in a cell's step (after inlining the
 * lets; additions, multiplications, max and dot are matched up to commutation; gate exponents up to linear
 * rearrangement, see {@link LinearForm}). A gate may be written {@code exp(g)}, {@code sigmoid(x)} (log gate
 * {@code logsigmoid(x)}) or be absent (log gate 0).
 */
public final class RecurrenceMatcher {
    private RecurrenceMatcher() {}

    public sealed interface Result permits Match, NoMatch {}

    public record Match(LinearRecurrence recurrence) implements Result {}

    /** Why the cell does not have the structure; it then gets the sequential schedule only. */
    public record NoMatch(String reason) implements Result {}

    private static final class Fail extends RuntimeException {
        Fail(String m) { super(m, null, false, false); }
    }

    private static Fail fail(String m) { return new Fail(m); }

    public static Result match(CellIR cell) {
        try {
            return new Match(doMatch(cell));
        } catch (Fail f) {
            return new NoMatch(f.getMessage());
        }
    }

    private static LinearRecurrence doMatch(CellIR cell) {
        if (!cell.isCell()) throw fail("a kernel has no recurrence");
        Decl C = null, n = null, m = null;
        for (Decl s : cell.states()) {
            switch (s.type()) {
                case Type.Mat t -> { if (C != null) throw fail("more than one matrix state (" + C.name() + ", " + s.name() + ")"); C = s; }
                case Type.Vec t -> { if (n != null) throw fail("more than one vector state (" + n.name() + ", " + s.name() + ")"); n = s; }
                case Type.Scalar t -> { if (m != null) throw fail("more than one scalar state (" + m.name() + ", " + s.name() + ")"); m = s; }
                default -> throw fail("state " + s.name() + " has type " + s.type());
            }
        }
        if (C == null) throw fail("no matrix state: nothing is updated as gate*C + gate*outer(k, v)");
        Type.Mat ct = (Type.Mat) C.type();
        if (n != null && !n.type().equals(new Type.Vec(ct.rows())))
            throw fail("vector state " + n.name() + " is " + n.type() + ", not vec[" + ct.rows() + "] like the keys of " + C.name());
        if (cell.outputs().size() != 1) throw fail("needs exactly one output, has " + cell.outputs().size());
        Decl h = cell.outputs().getFirst();
        if (!h.type().equals(new Type.Vec(ct.cols())))
            throw fail("output " + h.name() + " is " + h.type() + ", not vec[" + ct.cols() + "]");

        Map<String, Expr> lets = Exprs.inlinedLets(cell);
        Expr cNext = next(cell, C.name(), lets);
        Expr nNext = n == null ? null : next(cell, n.name(), lets);
        Expr mNext = m == null ? null : next(cell, m.name(), lets);
        Expr hDef = Exprs.inlineLets(cell.def(Stmt.Kind.OUTPUT, h.name()).orElseThrow(() -> fail("output " + h.name() + " is not defined")).value(), lets);

        // stabiliser: m' = max(LF + m, LI)
        Expr lf = null, li = null;
        if (m != null) {
            if (!(mNext instanceof Expr.Call mc && mc.fn() == Builtin.MAX))
                throw fail(m.name() + "' is not max(log_forget + " + m.name() + ", log_input)");
            for (int k = 0; k < 2 && lf == null; k++) {
                LinearForm x = LinearForm.of(mc.arg(k));
                Expr y = mc.arg(1 - k);
                if (x.coeff(Expr.RefKind.STATE, m.name()) == 1 && x.without(Expr.RefKind.STATE, m.name()).stateless() && Exprs.stateless(y)) {
                    lf = x.without(Expr.RefKind.STATE, m.name()).toExpr();
                    li = y;
                }
            }
            if (lf == null) throw fail(m.name() + "' is not max(log_forget + " + m.name() + ", log_input) with gates of the inputs only");
        }

        // C' = A*C + B*outer(k, v)
        Expr[] decay = new Expr[1], inject = new Expr[1];
        String cName = C.name();
        splitSum(cNext, cName + "'", t -> isRef(t, Expr.RefKind.STATE, cName), decay, inject);
        Expr gA = gateLog(scalarFactor(decay[0])), gB = gateLog(scalarFactor(inject[0]));
        Expr outerCall = outerOf(inject[0]);
        if (!isRef(vectorFactor(decay[0]), Expr.RefKind.STATE, C.name()) || gA == null || gB == null || outerCall == null)
            throw fail(C.name() + "' is not gate*" + C.name() + " + gate*outer(key, value) with scalar gates exp(.)/sigmoid(.)");
        Expr key = ((Expr.Call) outerCall).arg(0), value = ((Expr.Call) outerCall).arg(1);
        if (!Exprs.stateless(key) || !Exprs.stateless(value)) throw fail("key/value of " + C.name() + "' depend on the recurrence");

        SourcePos np = SourcePos.NONE;
        if (m != null) {
            Expr mRef = new Expr.Ref(Expr.RefKind.STATE, m.name(), Type.SCALAR, np);
            Expr mNextRef = new Expr.Ref(Expr.RefKind.NEXT_STATE, m.name(), Type.SCALAR, np);
            LinearForm wantA = LinearForm.of(new Expr.Binary(BinOp.SUB, new Expr.Binary(BinOp.ADD, lf, mRef, Type.SCALAR, np), mNextRef, Type.SCALAR, np));
            LinearForm wantB = LinearForm.of(new Expr.Binary(BinOp.SUB, li, mNextRef, Type.SCALAR, np));
            if (!LinearForm.of(gA).sameAs(wantA))
                throw fail("forget gate of " + C.name() + "' is exp(" + LinearForm.of(gA) + "), expected exp(" + wantA + ")");
            if (!LinearForm.of(gB).sameAs(wantB))
                throw fail("input gate of " + C.name() + "' is exp(" + LinearForm.of(gB) + "), expected exp(" + wantB + ")");
        } else {
            if (!Exprs.stateless(gA) || !Exprs.stateless(gB))
                throw fail("gates of " + C.name() + "' depend on the recurrence but there is no stabiliser state");
            lf = gA;
            li = gB;
        }

        // n' = A*n + B*k
        if (n != null) {
            Decl nn = n;
            Expr[] nd = new Expr[1], ni = new Expr[1];
            splitSum(nNext, n.name() + "'", t -> isRef(t, Expr.RefKind.STATE, nn.name()), nd, ni);
            Expr gA2 = gateLog(scalarFactor(nd[0])), gB2 = gateLog(scalarFactor(ni[0]));
            Expr k2 = vectorFactor(ni[0]);
            if (gA2 == null || gB2 == null || k2 == null || !isRef(vectorFactor(nd[0]), Expr.RefKind.STATE, nn.name()) || !LinearForm.of(gA2).sameAs(LinearForm.of(gA))
                    || !LinearForm.of(gB2).sameAs(LinearForm.of(gB)) || !Exprs.same(k2, key))
                throw fail(n.name() + "' is not (forget gate)*" + n.name() + " + (input gate)*key with the gates and key of " + C.name() + "'");
        }

        // read-out
        boolean normalised;
        Expr query, lower = null, eps = null;
        Expr num = hDef;
        Expr den = null;
        if (hDef instanceof Expr.Binary b && b.op() == BinOp.DIV) {
            num = b.a();
            den = b.b();
        }
        query = vecMatQuery(num, C.name());
        if (query == null) throw fail("output " + h.name() + " is not matvec(query, " + C.name() + "') [/ normaliser]");
        if (den == null) {
            normalised = false;
        } else {
            if (n == null) throw fail("normalised read-out without a normaliser state");
            normalised = true;
            Expr[] parts = commutedPair(den, BinOp.ADD, x -> x instanceof Expr.Call c && c.fn() == Builtin.MAX);
            if (parts == null) throw fail("denominator of " + h.name() + " is not max(|dot(query, " + n.name() + "')|, lower) + eps");
            eps = parts[1];
            Expr.Call mx = (Expr.Call) parts[0];
            Expr absDot = null;
            for (int k = 0; k < 2; k++) {
                if (mx.arg(k) instanceof Expr.Call a && a.fn() == Builtin.ABS && a.arg(0) instanceof Expr.Call d && d.fn() == Builtin.DOT) {
                    absDot = d;
                    lower = mx.arg(1 - k);
                }
            }
            if (absDot == null) throw fail("denominator of " + h.name() + " has no |dot(query, " + n.name() + "')|");
            Expr.Call dot = (Expr.Call) absDot;
            Expr q2 = isRef(dot.arg(1), Expr.RefKind.NEXT_STATE, n.name()) ? dot.arg(0)
                    : isRef(dot.arg(0), Expr.RefKind.NEXT_STATE, n.name()) ? dot.arg(1) : null;
            if (q2 == null || !Exprs.same(q2, query)) throw fail("denominator does not use dot(query, " + n.name() + "') with the read-out query");
            if (!Exprs.constantPerCall(eps)) throw fail("eps of the denominator must depend on params/constants only");
            if (m != null) {
                Expr gl = gateLog(lower);
                LinearForm want = LinearForm.of(new Expr.Unary(UnOp.NEG, new Expr.Ref(Expr.RefKind.NEXT_STATE, m.name(), Type.SCALAR, np), Type.SCALAR, np));
                if (gl == null || !LinearForm.of(gl).sameAs(want))
                    throw fail("lower bound of the denominator must be exp(-" + m.name() + "') in a stabilised cell");
                lower = null;
            } else if (!Exprs.constantPerCall(lower)) {
                throw fail("lower bound of the denominator must depend on params/constants only in an un-stabilised cell");
            }
        }
        if (!Exprs.stateless(query)) throw fail("the query depends on the recurrence");
        return new LinearRecurrence(C.name(), n == null ? null : n.name(), m == null ? null : m.name(), h.name(),
                ct.rows(), ct.cols(), lf, li, key, value, query, normalised, lower, eps);
    }

    private static Expr next(CellIR cell, String state, Map<String, Expr> lets) {
        Optional<Stmt> s = cell.def(Stmt.Kind.NEXT_STATE, state);
        if (s.isEmpty()) throw fail("state " + state + " has no next-state definition");
        return Exprs.inlineLets(s.get().value(), lets);
    }

    private static boolean isRef(Expr e, Expr.RefKind kind, String name) {
        return e instanceof Expr.Ref r && r.kind() == kind && r.name().equals(name);
    }

    /** e = decayTerm + injectTerm (either order), decayTerm containing the state as a factor. */
    private static void splitSum(Expr e, String what, java.util.function.Predicate<Expr> isState, Expr[] decay, Expr[] inject) {
        if (!(e instanceof Expr.Binary b && b.op() == BinOp.ADD)) throw fail(what + " is not a sum of a decay term and an input term");
        for (int k = 0; k < 2; k++) {
            Expr x = k == 0 ? b.a() : b.b(), y = k == 0 ? b.b() : b.a();
            if (hasFactor(x, isState) && !Exprs.any(y, z -> isState.test(z))) {
                decay[0] = x;
                inject[0] = y;
                return;
            }
        }
        throw fail(what + " is not gate*state + input term");
    }

    private static boolean hasFactor(Expr e, java.util.function.Predicate<Expr> p) {
        if (p.test(e)) return true;
        return e instanceof Expr.Binary b && b.op() == BinOp.MUL && (hasFactor(b.a(), p) || hasFactor(b.b(), p));
    }

    /** The scalar factor of a product {@code g * X} / {@code X * g} / {@code X}; null if the shape differs. */
    private static Expr scalarFactor(Expr e) {
        if (e == null) return null;
        if (!(e.type() instanceof Type.Scalar) && e instanceof Expr.Binary b && b.op() == BinOp.MUL) {
            if (b.a().type() instanceof Type.Scalar && !(b.b().type() instanceof Type.Scalar)) return b.a();
            if (b.b().type() instanceof Type.Scalar && !(b.a().type() instanceof Type.Scalar)) return b.b();
            return null;
        }
        return e.type() instanceof Type.Scalar ? null : new Expr.Const(1, SourcePos.NONE);
    }

    /** The non-scalar factor of a product {@code g * X} / {@code X * g} / {@code X}. */
    private static Expr vectorFactor(Expr e) {
        if (e instanceof Expr.Binary b && b.op() == BinOp.MUL && !(e.type() instanceof Type.Scalar)) {
            if (b.a().type() instanceof Type.Scalar) return b.b();
            if (b.b().type() instanceof Type.Scalar) return b.a();
        }
        return e.type() instanceof Type.Scalar ? null : e;
    }

    private static Expr outerOf(Expr e) {
        Expr v = vectorFactor(e);
        return v instanceof Expr.Call c && c.fn() == Builtin.OUTER ? v : null;
    }

    /** The log of a gate: exp(g) -> g, sigmoid(x) -> logsigmoid(x), 1 -> 0; null otherwise. */
    static Expr gateLog(Expr g) {
        if (g == null || !(g.type() instanceof Type.Scalar)) return null;
        if (g instanceof Expr.Call c && c.fn() == Builtin.EXP) return c.arg(0);
        if (g instanceof Expr.Call c && c.fn() == Builtin.SIGMOID)
            return new Expr.Call(Builtin.LOGSIGMOID, List.of(c.arg(0)), Type.SCALAR, c.pos());
        if (g instanceof Expr.Const k && k.value() == 1) return new Expr.Const(0, k.pos());
        return null;
    }

    /** For {@code matvec(q, C')} returns q. */
    private static Expr vecMatQuery(Expr e, String c) {
        if (e instanceof Expr.Call mv && mv.fn() == Builtin.MATVEC && Builtin.isVecMat(mv) && isRef(mv.arg(1), Expr.RefKind.NEXT_STATE, c))
            return mv.arg(0);
        return null;
    }

    /** For {@code a op b} with a commutative op, returns {x, other} where x satisfies p. */
    private static Expr[] commutedPair(Expr e, BinOp op, java.util.function.Predicate<Expr> p) {
        if (!(e instanceof Expr.Binary b && b.op() == op)) return null;
        if (p.test(b.a())) return new Expr[]{b.a(), b.b()};
        if (p.test(b.b())) return new Expr[]{b.b(), b.a()};
        return null;
    }
}
