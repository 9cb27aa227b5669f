package xlstm.codegen;

import org.junit.jupiter.api.Test;
import xlstm.codegen.interp.Interpreter;
import xlstm.codegen.interp.Value;
import xlstm.codegen.pass.CommonSubexpressions;
import xlstm.dsl.Dsl;
import xlstm.dsl.ir.CellIR;
import xlstm.dsl.ir.IrPrinter;
import xlstm.dsl.ir.IrVerifier;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommonSubexpressionsTest {
    static final String SRC = """
            cell c(D) {
              input  x: vec[D], s: scalar
              state  a: scalar = 0
              output h: vec[D], g: vec[D]
              step {
                e  = exp(s) + a * 2
                a' = (exp(s) + a * 2) * sum(x)
                h  = x * sum(x) + x
                g  = x * e + x
              }
            }
            """;

    @Test
    void repeatedReductionsAndScalarsBecomeLetsAndTheValuesStay() {
        CellIR c = Dsl.compile("c.xl", SRC).units().getFirst();
        CellIR cse = new CommonSubexpressions().run(c);
        assertTrue(IrVerifier.verify(cse).isEmpty(), IrPrinter.print(cse));
        String printed = IrPrinter.print(cse);
        assertTrue(printed.contains("let  cse1: scalar = sum(x)"), printed);
        assertTrue(printed.contains("next a': scalar = e * cse1"), printed); // the existing let e is reused
        assertTrue(printed.contains("x * cse1 + x"), printed);
        assertTrue(printed.contains("out  g: vec[D] = x * e + x"), "elementwise vec subtrees stay fused: " + printed);

        Interpreter.Call call = new Interpreter.Call(Map.of("D", 3), Map.of());
        Map<String, Value> in = Map.of("x", Value.vec(new double[]{0.5, -1, 2}), "s", Value.scalar(0.3));
        Map<String, Value> st = Map.of("a", Value.scalar(0.7));
        Map<String, Value> before = Interpreter.stepValues(c, call, in, Map.of(), st, Map.of());
        Map<String, Value> after = Interpreter.stepValues(cse, call, in, Map.of(), st, Map.of());
        for (String n : new String[]{"a'", "h", "g"})
            assertEquals(before.get(n).toString(), after.get(n).toString(), n);
    }
}
