package xlstm.runtime.verify;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The outcome of one fixture case: its checks, or the unexpected error that stopped it ({@code error} is then
 * non-null and the case failed). A case passes when it has at least one check and every check passes.
 */
public record CaseResult(String name, Path dir, List<Check> checks, Throwable error) {
    public CaseResult {
        checks = List.copyOf(checks);
    }

    public boolean passed() {
        return error == null && !checks.isEmpty() && checks.stream().allMatch(Check::passed);
    }

    /** The report lines: one per check, then one for an error that stopped the case. */
    public List<String> lines() {
        List<String> out = new ArrayList<>();
        for (Check c : checks) out.add(c.line());
        if (error != null) {
            String msg = error.getMessage() == null ? "" : ": " + error.getMessage().lines().findFirst().orElse("");
            out.add("FAIL " + name + " error " + error.getClass().getSimpleName() + msg);
        } else if (checks.isEmpty()) {
            out.add("FAIL " + name + " (nothing to compare)");
        }
        return out;
    }
}
