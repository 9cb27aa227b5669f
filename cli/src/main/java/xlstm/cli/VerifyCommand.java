package xlstm.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import xlstm.runtime.verify.CaseResult;
import xlstm.runtime.verify.FixtureVerifier;
import xlstm.training.verify.GradientCheck;

/** {@code xlstm verify DIR...}: runs parity fixtures and reports one line per compared tensor. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Run parity fixture folders (the golden/README.md format) and compare with the reference.",
                "Prints PASS|FAIL <case> <tensor> max_abs_err=<e> tol=<t> per check, then 'N passed, M failed'.",
                "A case with grads.safetensors also checks the backward pass: grad[<name>] per reference gradient.",
                "A folder that holds fixture folders is expanded; plain files are skipped."},
        footer = {"", "Example: xlstm verify ../shared/golden/*",
                "Exit status: 0 when every case passes, 1 when one fails, 2 for bad input."})
final class VerifyCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "DIR", description = "Fixture folders (with case.json).")
    List<Path> dirs;

    @Option(names = "--backend", defaultValue = Backends.DEFAULT, paramLabel = "NAME", description = Backends.HELP)
    String backend;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        FixtureVerifier verifier = new FixtureVerifier(Backends.choose(backend, spec));
        List<Path> cases = FixtureVerifier.caseDirs(dirs, skipped -> err.println("skipping " + skipped));
        boolean verbose = ErrorReporter.verbose(spec.root().commandLine().getParseResult());
        int passed = 0, failed = 0;
        for (Path dir : cases) {
            CaseResult r = withGradients(verifier.verify(dir));
            r.lines().forEach(out::println);
            if (r.error() != null) {
                if (verbose) r.error().printStackTrace(err);
                else err.println(r.name() + ": unexpected error; run with --verbose for the stack trace");
            }
            out.flush();
            if (r.passed()) passed++; else failed++;
        }
        out.println(passed + " passed, " + failed + " failed");
        return failed == 0 ? 0 : ErrorReporter.FAILED;
    }

    /** The case's forward checks, then its gradient checks when it has reference gradients: one case result. */
    private static CaseResult withGradients(CaseResult forward) {
        if (forward.error() != null || !GradientCheck.applies(forward.dir())) return forward;
        CaseResult grads = GradientCheck.verify(forward.dir());
        List<xlstm.runtime.verify.Check> all = new java.util.ArrayList<>(forward.checks());
        all.addAll(grads.checks());
        return new CaseResult(forward.name(), forward.dir(), all, grads.error());
    }
}
