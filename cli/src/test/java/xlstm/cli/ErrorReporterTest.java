package xlstm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import xlstm.runtime.UserError;

/** What the CLI shows for an Error from a command: a user error behind it as one line, exit 2; else a bug. */
class ErrorReporterTest {
    @Test
    void aUserErrorThrownWhileAClassInitialisesIsOneLineAndExitTwo() {
        // a bad -D flag read into a static field (e.g. RowsGemvKernels.STAGES) fails the class's initialisation
        String flag = "-Dxlstm.cuda.rowsStages=5: one of 2, 3, 4, 6, 8, 12";
        StringWriter err = new StringWriter();
        int code = ErrorReporter.onError(new ExceptionInInitializerError(new UserError(flag)), new PrintWriter(err, true),
                false);
        assertEquals(2, code);
        assertEquals(flag, err.toString().strip());
    }

    @Test
    void anErrorWithoutAUserErrorIsABug() {
        StringWriter err = new StringWriter();
        int code = ErrorReporter.onError(new ExceptionInInitializerError(new IllegalStateException("a bug")),
                new PrintWriter(err, true), false);
        assertEquals(1, code);
        assertTrue(err.toString().startsWith("xlstm: unexpected error: ExceptionInInitializerError"), err.toString());
    }
}
