package xlstm.cli;

import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * Entry point of the {@code xlstm} command. {@link #run} is the whole program minus {@code System.exit}, so tests
 * run it in-process and look at the exit code, stdout and stderr.
 *
 * <p>Exit codes: 0 success; 1 a verification failed or an unexpected error; 2 a user error (bad option, bad file,
 * DSL error): message only, never a stack trace.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int code = run(args, out, err);
        out.flush();
        err.flush();
        System.exit(code);
    }

    private static final ThreadLocal<java.io.InputStream> INPUT = ThreadLocal.withInitial(() -> System.in);

    /** Standard input of the current run ({@code System.in}, or what a test passed to {@link #run}). */
    static java.io.InputStream input() { return INPUT.get(); }

    /** As {@link #run(String[], PrintWriter, PrintWriter)} with {@code in} as standard input (interactive mode). */
    public static int run(String[] args, java.io.InputStream in, PrintWriter out, PrintWriter err) {
        INPUT.set(in);
        try {
            return run(args, out, err);
        } finally {
            INPUT.remove();
        }
    }

    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        XlstmCommand root = new XlstmCommand();
        CommandLine cl = new CommandLine(root);
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler(new ErrorReporter());
        cl.setParameterExceptionHandler(ErrorReporter::onParameterError);
        try {
            return cl.execute(args);
        } catch (Error e) {
            // picocli hands only Exceptions to the handler; an Error (a missing class, out of memory, a bad -D flag
            // read while a class initialises) ends up here
            return ErrorReporter.onError(e, err, java.util.Arrays.asList(args).contains("--verbose"));
        } finally {
            out.flush();
            err.flush();
        }
    }
}
