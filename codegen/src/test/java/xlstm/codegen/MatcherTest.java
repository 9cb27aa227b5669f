package xlstm.codegen;

import org.junit.jupiter.api.Test;
import xlstm.codegen.schedule.LinearRecurrence;
import xlstm.codegen.schedule.RecurrenceMatcher;
import xlstm.codegen.schedule.ScheduleKind;
import xlstm.codegen.schedule.ScheduledCell;
import xlstm.dsl.ir.IrPrinter;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class MatcherTest {
    static LinearRecurrence lr(String src) {
        var r = RecurrenceMatcher.match(Compiler.scheduleOne(Sources.cell(src)).variants().getFirst().ir());
        if (r instanceof RecurrenceMatcher.Match m) return m.recurrence();
        fail("no match: " + ((RecurrenceMatcher.NoMatch) r).reason());
        return null;
    }

    @Test
    void mlstmIsAStabilisedNormalisedRecurrence() {
        LinearRecurrence r = lr(Sources.MLSTM);
        assertEquals("C", r.matrixState());
        assertEquals("n", r.normState());
        assertEquals("m", r.stabState());
        assertEquals("logsigmoid(f)", IrPrinter.expr(r.logForget()));
        assertEquals("i", IrPrinter.expr(r.logInput()));
        assertEquals("k", IrPrinter.expr(r.key()));
        assertEquals("v", IrPrinter.expr(r.value()));
        assertEquals("q * rsqrt(DQK)", IrPrinter.expr(r.query()));
        assertTrue(r.normalised());
        assertEquals("eps", IrPrinter.expr(r.eps()));
        ScheduledCell sc = Compiler.scheduleOne(Sources.cell(Sources.MLSTM));
        assertEquals(Set.of(ScheduleKind.STEP, ScheduleKind.SEQUENCE, ScheduleKind.CHUNKWISE, ScheduleKind.PARALLEL), sc.schedules());
    }

    @Test
    void mlstmSigVariantsBothMatch() {
        ScheduledCell sc = Compiler.scheduleOne(Sources.cell(Sources.MLSTM_SIG));
        assertEquals(2, sc.variants().size());
        LinearRecurrence norm = sc.variants().get(0).recurrence(), raw = sc.variants().get(1).recurrence();
        assertNotNull(norm);
        assertNotNull(raw);
        assertFalse(norm.stabilised());
        assertTrue(norm.normalised());
        assertEquals("1", IrPrinter.expr(norm.lowerBound()));
        assertEquals("logsigmoid(i)", IrPrinter.expr(norm.logInput()));
        assertFalse(raw.normalised());
        assertTrue(raw.hasNormState(), "n is still a state to keep exact");
        assertTrue(sc.variants().get(1).schedules().contains(ScheduleKind.PARALLEL));
    }

    @Test
    void slstmGetsOnlyTheSequentialScheduleWithAReason() {
        ScheduledCell sc = Compiler.scheduleOne(Sources.cell(Sources.SLSTM));
        assertEquals(Set.of(ScheduleKind.STEP, ScheduleKind.SEQUENCE), sc.schedules());
        assertTrue(sc.variants().getFirst().whyNot().contains("vector state"), sc.variants().getFirst().whyNot());
        assertTrue(sc.dump().contains("no chunkwise/parallel form"), sc.dump());
        assertEquals(Set.of("n"), sc.variants().getFirst().allZeroStates());
    }

    @Test
    void matchingIsUpToCommutationAndLetStructure() {
        LinearRecurrence r = lr("""
                cell var(K, V) {
                  input q: vec[K], k: vec[K], v: vec[V], a: scalar, b: scalar
                  state C: mat[K, V] = 0, n: vec[K] = 0, s: scalar = 0
                  output h: vec[V]
                  param eps = 1e-5
                  step {
                    s' = max(b, s + logsigmoid(a) * 2)
                    C' = exp(b - s') * outer(k * 0.5, v) + C * exp(2 * logsigmoid(a) - s' + s)
                    n' = exp(s - s' + logsigmoid(a) * 2) * n + k * 0.5 * exp(b - s')
                    h  = matvec(q, C') / (eps + max(exp(-s'), abs(dot(n', q))))
                  }
                }
                """);
        assertTrue(r.stabilised());
        assertEquals("k * 0.5", IrPrinter.expr(r.key()));
        assertEquals("2 * logsigmoid(a)", IrPrinter.expr(r.logForget()));
    }

    @Test
    void wrongGatesAreRejectedWithAReason() {
        String broken = Sources.MLSTM.replace("fg = exp(lf + m - m')", "fg = exp(lf - m')");
        var r = RecurrenceMatcher.match(Sources.cell(broken));
        assertInstanceOf(RecurrenceMatcher.NoMatch.class, r);
        assertTrue(((RecurrenceMatcher.NoMatch) r).reason().contains("forget gate"), r.toString());
        String unnormalisedStab = Sources.MLSTM.replace("h  = matvec(qs, C') / (max(abs(dot(qs, n')), exp(-m')) + eps)", "h = matvec(qs, C')");
        ScheduledCell sc = Compiler.scheduleOne(Sources.cell(unnormalisedStab));
        assertTrue(sc.schedules().contains(ScheduleKind.CHUNKWISE));
        assertFalse(sc.schedules().contains(ScheduleKind.PARALLEL), "stabiliser convention would change h");
    }

    @Test
    void sigmoidGatesAreLogGates() {
        LinearRecurrence r = lr("""
                cell g(K, V) {
                  input q: vec[K], k: vec[K], v: vec[V], a: scalar, b: scalar
                  state C: mat[K, V] = 0
                  output h: vec[V]
                  step {
                    C' = sigmoid(a) * C + outer(k, v)
                    h = matvec(q, C')
                  }
                }
                """);
        assertEquals("logsigmoid(a)", IrPrinter.expr(r.logForget()));
        assertEquals("0", IrPrinter.expr(r.logInput()));
        assertFalse(r.normalised());
    }
}
