package xlstm.cli;

import java.io.PrintWriter;
import java.util.IdentityHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import xlstm.backends.Flags;
import xlstm.dsl.DslException;
import xlstm.dsl.ir.IrException;
import xlstm.runtime.UserError;

/**
 * Turns exceptions into what a user should see. User errors ({@link UserError}, {@link DslException}, bad
 * options, a malformed -D flag ({@link Flags.BadFlag})): the message only, exit 2. Anything else is a bug: one line
 * naming it and a hint, exit 1; the stack trace only with {@code --verbose}.
 */
final class ErrorReporter implements IExecutionExceptionHandler {
    static final int FAILED = 1;
    static final int USER_ERROR = 2;

    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, ParseResult parseResult) {
        PrintWriter err = cl.getErr();
        boolean verbose = verbose(parseResult);
        String user = userMessage(ex);
        if (user != null) {
            err.println(user);
            if (verbose) ex.printStackTrace(err);
            return USER_ERROR;
        }
        return reportUnexpected(ex, err, verbose);
    }

    /**
     * An Error from a command: a user error behind it (e.g. a bad -D flag read into a static field, which fails the
     * class's initialisation) as its one-line message, exit 2; else a bug, as {@link #reportUnexpected}.
     */
    static int onError(Error e, PrintWriter err, boolean verbose) {
        String user = userMessage(e);
        if (user == null) return reportUnexpected(e, err, verbose);
        err.println(user);
        if (verbose) e.printStackTrace(err);
        return USER_ERROR;
    }

    /** A bug, not a user error: one line naming it, then the stack trace or a hint how to get it. */
    static int reportUnexpected(Throwable ex, PrintWriter err, boolean verbose) {
        err.println("xlstm: unexpected error: " + describe(ex));
        if (verbose) ex.printStackTrace(err);
        else err.println("run with --verbose for the stack trace");
        return FAILED;
    }

    /** A bad option or argument: picocli's message on one line, with where to look. */
    static int onParameterError(ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        String name = cl.getCommandSpec().qualifiedName();
        cl.getErr().println(name + ": " + ex.getMessage().strip().replace('\n', ' ')
                + " (see '" + name + " --help')");
        return USER_ERROR;
    }

    /** The message to show when {@code t} (or one of its causes) is a user error, else null. */
    static String userMessage(Throwable t) {
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        for (Throwable c = t; c != null && seen.put(c, Boolean.TRUE) == null; c = c.getCause()) {
            if (c instanceof UserError || c instanceof DslException || c instanceof Flags.BadFlag) {
                return c.getMessage();
            }
            if (c instanceof IrException ir) return ir.formatted();
        }
        return null;
    }

    /** One line: the exception type and message, and where it was thrown. */
    static String describe(Throwable t) {
        StringBuilder sb = new StringBuilder(t.getClass().getSimpleName());
        if (t.getMessage() != null) sb.append(": ").append(t.getMessage().lines().findFirst().orElse(""));
        StackTraceElement[] st = t.getStackTrace();
        if (st.length > 0) sb.append(" (at ").append(st[0].getClassName()).append('.').append(st[0].getMethodName())
                .append(':').append(st[0].getLineNumber()).append(')');
        return sb.toString();
    }

    /** True when --verbose was given at any level of the command line. */
    static boolean verbose(ParseResult pr) {
        for (ParseResult p = pr; p != null; p = p.subcommand()) {
            if (p.hasMatchedOption("--verbose")) return true;
        }
        return false;
    }
}
