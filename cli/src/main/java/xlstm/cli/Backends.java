package xlstm.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import xlstm.runtime.backend.KernelBackend;
import xlstm.runtime.backend.KernelBackends;

/**
 * The {@code --backend} option of verify, generate and bench, and the table of {@code xlstm devices}; the ranking and
 * the probes are {@link KernelBackends}'.
 */
final class Backends {
    /** The option's default: {@code -Dxlstm.backend} when set, else {@code auto}. */
    static final String DEFAULT = "${sys:xlstm.backend:-auto}";

    /** The description shared by the commands' {@code --backend} options. */
    static final String HELP = "Kernel backend: auto (the best available, the default unless -Dxlstm.backend is set),"
            + " cpu, cuda, hip, metal, opencl (see 'xlstm devices'). Linear algebra stays in Java on every backend.";

    private Backends() {}

    /**
     * The backend for {@code name}. With {@code auto} and {@code --verbose}, one line on stderr says which was taken and
     * why each other one was skipped (without --verbose stderr stays free for the one-line error messages; 'xlstm
     * devices' shows the same reasons). An unknown or unavailable name is a user error listing the names.
     */
    static KernelBackend choose(String name, CommandSpec spec) {
        KernelBackends.Choice c = KernelBackends.choose(name);
        if (c.automatic() && ErrorReporter.verbose(spec.root().commandLine().getParseResult())) {
            PrintWriter err = spec.commandLine().getErr();
            err.println(c.describe());
            err.flush();
        }
        return c.backend();
    }

    /** The rows of the devices table, ranked best first: rank, name, available, device, reason. */
    static List<String[]> table() {
        List<String[]> rows = new ArrayList<>();
        int rank = 0;
        for (KernelBackends.Status s : KernelBackends.statuses()) {
            String device = s.device().device().isEmpty() ? "-" : s.device().device();
            String reason = s.device().reason().isEmpty() ? "-" : s.device().reason();
            rows.add(new String[] {Integer.toString(++rank), s.name(), s.available() ? "yes" : "no", device, reason});
        }
        return rows;
    }
}
