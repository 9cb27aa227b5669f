package xlstm.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code xlstm devices}: every backend this build knows, and why the unavailable ones are unavailable. */
@Command(name = "devices", mixinStandardHelpOptions = true,
        description = "List the compute backends, which of them run on this machine, and why the others do not.")
final class DevicesCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        for (Backends.Backend b : Backends.all()) {
            out.printf("%-7s %-12s %s%n", b.name(), b.available() ? "available" : "unavailable", b.detail());
        }
        return 0;
    }
}
