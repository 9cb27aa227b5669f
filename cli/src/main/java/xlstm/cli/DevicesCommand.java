package xlstm.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import xlstm.backends.SignalGuard;
import xlstm.runtime.backend.KernelBackends;

/** {@code xlstm devices}: every backend this build knows, ranked, and why the unavailable ones are unavailable. */
@Command(name = "devices", mixinStandardHelpOptions = true,
        description = {"List the kernel backends, best first (cuda > hip > metal > opencl on a GPU > cpu > opencl on a",
                "CPU), whether each runs on this machine, its device, and why the others do not; then what 'auto'",
                "picks. --backend NAME or -Dxlstm.backend=NAME overrides the choice."})
final class DevicesCommand implements Callable<Integer> {
    static final String[] HEAD = {"rank", "backend", "available", "device", "reason"};

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<String[]> rows = Backends.table();
        int[] w = new int[HEAD.length];
        for (int c = 0; c < HEAD.length; c++) {
            w[c] = HEAD[c].length();
            for (String[] r : rows) w[c] = Math.max(w[c], r[c].length());
        }
        out.println(line(HEAD, w));
        for (String[] r : rows) out.println(line(r, w));
        KernelBackends.Choice auto = KernelBackends.choose(KernelBackends.AUTO);
        out.println();
        out.println("auto: " + auto.backend().name() + " (override with --backend NAME or -Dxlstm.backend=NAME)");
        out.println("Every backend runs the generated cell and pointwise kernels; matrix products, norms, the causal"
                + " convolution and the embedding stay in Java (CpuOps) on all of them for now.");
        List<String> replaced = SignalGuard.restored();
        if (!replaced.isEmpty()) {
            out.println("note: loading the device runtimes replaced signal handlers the JVM needs (" + String.join("; ",
                    replaced) + "); they were put back unless marked (xlstm.backends.SignalGuard)");
        }
        return 0;
    }

    private static String line(String[] cells, int[] w) {
        StringBuilder sb = new StringBuilder();
        for (int c = 0; c < cells.length; c++) {
            if (c > 0) sb.append("  ");
            sb.append(c == cells.length - 1 ? cells[c] : String.format("%-" + w[c] + "s", cells[c]));
        }
        return sb.toString();
    }
}
