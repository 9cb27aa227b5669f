package xlstm.codegen.autodiff;

import org.junit.jupiter.api.Test;
import xlstm.codegen.interp.Interpreter;
import xlstm.dsl.Dsl;
import xlstm.dsl.ir.CellIR;
import xlstm.dsl.ir.IrPrinter;
import xlstm.dsl.ir.IrVerifier;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The adjoints of the project's cells against central finite differences through the interpreter. */
class AutodiffCellsTest {
    static CellIR shipped(String file) throws IOException {
        Path p = Path.of("..", "generated", "src", "main", "xlstm", "cells", file);
        return Dsl.compile(file, Files.readString(p)).units().getFirst();
    }

    static Interpreter.Call call(Map<String, Integer> dims, Map<String, Object> params) {
        return new Interpreter.Call(dims, params);
    }

    @Test
    void mlstmFromZeroAndRandomStates() throws IOException {
        CellIR c = shipped("mlstm.xl");
        Interpreter.Call call = call(Map.of("DQK", 3, "DV", 2), Map.of("eps", 1e-6));
        new GradCheck(c, 2, 2, 5, call, 1, () -> 0).check(1e-7, 1e-6);
        Random r = new Random(2);
        new GradCheck(c, 2, 1, 4, call, 3, () -> r.nextGaussian()).check(1e-7, 1e-6);
    }

    @Test
    void mlstmSigBothVariants() throws IOException {
        CellIR c = shipped("mlstm_sig.xl");
        for (boolean normalize : new boolean[]{true, false}) {
            Interpreter.Call call = call(Map.of("DQK", 3, "DV", 2), Map.of("eps", 1e-6, "normalize", normalize));
            Random r = new Random(4);
            new GradCheck(c, 2, 2, 4, call, 5, () -> r.nextGaussian()).check(1e-7, 1e-6);
        }
    }

    @Test
    void slstmWithTheBatchGlobalFirstStep() throws IOException {
        CellIR c = shipped("slstm.xl");
        Interpreter.Call call = call(Map.of("DH", 3), Map.of());
        // from the zero state the first step takes all_zero(n); perturbing n there would flip it, so n is skipped
        new GradCheck(c, 2, 2, 4, call, 6, () -> 0).check(1e-7, 1e-6, "n");
        Random r = new Random(7);
        new GradCheck(c, 2, 2, 4, call, 8, () -> 1 + r.nextDouble()).check(1e-7, 1e-6);
    }

    @Test
    void lstm() throws IOException {
        CellIR c = shipped("lstm.xl");
        Random r = new Random(9);
        new GradCheck(c, 2, 2, 4, call(Map.of("DH", 3), Map.of()), 10, () -> r.nextGaussian()).check(1e-7, 1e-6);
    }

    @Test
    void adjointIsVerifiedIrWithTheApiNames() throws IOException {
        AdjointCell a = Adjoint.derive(shipped("mlstm.xl"));
        assertTrue(IrVerifier.verify(a.ir()).isEmpty());
        assertEquals("mlstm_grad", a.ir().name());
        assertEquals("[q, k, v, i, f, C, n, m, dh]", a.ir().inputs().stream().map(d -> d.name()).toList().toString());
        assertEquals("[dC, dn, dm]", a.ir().states().stream().map(d -> d.name()).toList().toString());
        assertEquals("[dq, dk, dv, di, df]", a.ir().outputs().stream().map(d -> d.name()).toList().toString());
        String printed = IrPrinter.print(a.ir());
        assertTrue(printed.contains("next dC': mat[DQK, DV] ="), printed);
        AdjointCell s = Adjoint.derive(shipped("slstm.xl"));
        assertEquals(Map.of("n", "allzero_n"), s.flags());
        assertEquals("[dy, dc, dn, dm, dRi, dRf, dRz, dRo, dbi, dbf, dbz, dbo]",
                s.ir().states().stream().map(d -> d.name()).toList().toString());
    }
}
