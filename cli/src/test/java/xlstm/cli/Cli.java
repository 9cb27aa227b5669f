package xlstm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;

/** Runs the xlstm command in-process and captures what a user would see. */
final class Cli {
    record Result(int code, String out, String err) {
        /** A user error: exit 2, exactly one line on stderr that contains every {@code fragment}, no stack trace. */
        Result assertUserError(String... fragments) {
            String ctx = "\nstdout: " + out + "\nstderr: " + err;
            assertEquals(2, code, "exit code" + ctx);
            assertNoStackTrace();
            assertEquals(1, err.strip().lines().count(), "one line on stderr" + ctx);
            for (String f : fragments) assertTrue(err.contains(f), "stderr names '" + f + "'" + ctx);
            return this;
        }

        Result assertNoStackTrace() {
            String ctx = "\nstderr: " + err;
            assertFalse(err.contains("\tat ") || err.contains("Exception") || err.contains("Caused by"),
                    "no stack trace or exception class on stderr" + ctx);
            assertFalse(out.contains("\tat "), "no stack trace on stdout\nstdout: " + out);
            return this;
        }

        Result assertOk() {
            assertEquals(0, code, "exit code\nstdout: " + out + "\nstderr: " + err);
            return this;
        }
    }

    private Cli() {}

    static Result run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        System.out.println("$ xlstm " + String.join(" ", Arrays.asList(args)) + "  -> exit " + code);
        if (!err.toString().isEmpty()) System.out.print(err.toString().indent(2));
        return new Result(code, out.toString(), err.toString());
    }
}
