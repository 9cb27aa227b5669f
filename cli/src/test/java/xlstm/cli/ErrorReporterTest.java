package xlstm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import picocli.CommandLine;
import xlstm.backends.Flags;
import xlstm.runtime.UserError;

/** What the CLI shows for an Error from a command: a user error behind it as one line, exit 2; else a bug. */
class ErrorReporterTest {
    @Test
    void aUserErrorThrownWhileAClassInitialisesIsOneLineAndExitTwo() {
        // a UserError from a static field's initialiser fails the class's initialisation
        String flag = "-Dxlstm.cuda.rowsStages=5: one of 2, 3, 4, 6, 8, 12";
        StringWriter err = new StringWriter();
        int code = ErrorReporter.onError(new ExceptionInInitializerError(new UserError(flag)), new PrintWriter(err, true),
                false);
        assertEquals(2, code);
        assertEquals(flag, err.toString().strip());
    }

    @Test
    void aBadFlagReadWhileAClassInitialisesIsOneLineAndExitTwo() {
        // as -Dxlstm.threads=abc fails CpuParallel's initialisation (a flag nothing reads, so no class is harmed)
        Flags.BadFlag bad = badFlag("abc", () -> Flags.intFlag(FLAG, 4, 1));
        String line = "-D" + FLAG + "=abc: a whole number, 1 or more";
        assertEquals(line, bad.getMessage());
        StringWriter err = new StringWriter();
        int code = ErrorReporter.onError(new ExceptionInInitializerError(bad), new PrintWriter(err, true), false);
        assertEquals(2, code);
        assertEquals(line, err.toString().strip());
    }

    @Test
    void aBadFlagFromACommandIsOneLineAndExitTwo() {
        Flags.BadFlag bad = badFlag("flase", () -> Flags.boolFlag(FLAG, true));
        CommandLine cl = new CommandLine(new XlstmCommand());
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err, true));
        int code = new ErrorReporter().handleExecutionException(new IllegalStateException("a device call failed", bad),
                cl, cl.parseArgs());
        assertEquals(2, code);
        assertEquals("-D" + FLAG + "=flase: true or false", err.toString().strip());
    }

    private static final String FLAG = "xlstm.test.errorReporter";

    /** What {@code read} throws with {@link #FLAG} set to {@code value}. */
    private static Flags.BadFlag badFlag(String value, Executable read) {
        try {
            System.setProperty(FLAG, value);
            return assertThrows(Flags.BadFlag.class, read);
        } finally {
            System.clearProperty(FLAG);
        }
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
