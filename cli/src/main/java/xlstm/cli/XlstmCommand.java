package xlstm.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code xlstm} command: the subcommands do the work. */
@Command(name = "xlstm",
        mixinStandardHelpOptions = true,
        version = "xlstm 0.1.0-SNAPSHOT",
        description = "xLSTM on the JVM: run and train models, verify parity fixtures, compile DSL cells.",
        subcommands = {
                VerifyCommand.class,
                CompileCommand.class,
                GenerateCommand.class,
                ConvertCommand.class,
                RandomCheckpointCommand.class,
                DevicesCommand.class,
                BenchCommand.class,
                TrainCommand.class,
                ExperimentCommand.class,
        },
        commandListHeading = "%nCommands:%n",
        footer = {"", "Exit status: 0 ok, 1 a check failed or an unexpected error, 2 bad input (message only)."})
public final class XlstmCommand implements Callable<Integer> {
    @Option(names = "--verbose", scope = ScopeType.INHERIT,
            description = "Print stack traces of errors (for bug reports).")
    boolean verbose;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        // no subcommand: show what there is, as for any other usage error
        spec.commandLine().usage(spec.commandLine().getErr());
        return ErrorReporter.USER_ERROR;
    }
}
