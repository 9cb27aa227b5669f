package xlstm.runtime.verify;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import xlstm.backends.Flags;
import xlstm.runtime.UserError;
import xlstm.runtime.backend.KernelBackend;
import xlstm.runtime.backend.KernelBackends;

/**
 * Runs parity fixture folders (golden/README.md, format 1) and compares with their references:
 * {@code max|out - ref| <= atol + rtol * max|ref|} with the case's tolerance, token ids exactly. One
 * {@link CaseResult} per folder, one {@link Check} per compared tensor.
 *
 * <p>Problems with the fixture itself (unknown kind, missing file or tensor, corrupt data) are {@link UserError}s
 * naming the file. An unexpected exception while running the model does not stop a run of several cases: it is
 * the case's {@link CaseResult#error()}, and the case fails. Gradients ({@code grads.safetensors}) are checked by
 * the training module's {@code GradientCheck} (the runtime has no backward passes).
 */
public final class FixtureVerifier {
    /** The fixture kinds this verifier runs. */
    public static final List<String> KINDS =
            List.of("mlstm_cell", "mlstm_siging_cell", "block_stack", "lm_model", "xlstm_large", "hf_xlstm");

    private final KernelBackend backend;

    /**
     * A verifier on the backend named {@code backend} ({@code auto}, {@code cpu}, {@code opencl}, ...; see
     * {@link KernelBackends#choose}); an unknown or unavailable one is a {@link UserError} listing the names.
     */
    public FixtureVerifier(String backend) {
        this(KernelBackends.get(backend));
    }

    /** A verifier whose cells and models run their generated kernels on {@code backend}. */
    public FixtureVerifier(KernelBackend backend) {
        if (backend == null) throw new IllegalArgumentException("backend is null");
        this.backend = backend;
    }

    public KernelBackend backend() { return backend; }

    /** Runs the fixture folder {@code dir}. */
    public CaseResult verify(Path dir) {
        try (Fixture fx = Fixture.open(dir)) {
            List<Check> checks = new ArrayList<>();
            Runnable run = switch (fx.kind()) {
                case "mlstm_cell" -> () -> CellCases.mlstm(backend, fx, checks);
                case "mlstm_siging_cell" -> () -> CellCases.mlstmSig(backend, fx, checks);
                case "block_stack" -> () -> ModelCases.blockStack(backend, fx, checks);
                case "lm_model" -> () -> ModelCases.lmModel(backend, fx, checks);
                case "xlstm_large" -> () -> ModelCases.xlstmLarge(backend, fx, checks);
                case "hf_xlstm" -> () -> ModelCases.hfXlstm(backend, fx, checks);
                default -> throw new UserError(fx.file(Fixture.CASE_JSON) + ": unknown kind \"" + fx.kind()
                        + "\" (known kinds: " + String.join(", ", KINDS) + ")");
            };
            try {
                run.run();
            } catch (UserError | Flags.BadFlag e) {
                throw e;
            } catch (RuntimeException | LinkageError | AssertionError e) {
                return new CaseResult(fx.name(), dir, checks, e);
            }
            return new CaseResult(fx.name(), dir, checks, null);
        }
    }

    /**
     * The fixture folders among {@code args}: a folder with a case.json is one case; a folder without one is
     * searched one level down (so the folder of all fixtures works too); plain files are reported to
     * {@code skipped} and left out (so {@code golden/*} may include a README). A missing path, or no fixture
     * folder at all, is a {@link UserError}.
     */
    public static List<Path> caseDirs(List<Path> args, Consumer<String> skipped) {
        List<Path> out = new ArrayList<>();
        for (Path p : args) {
            if (!Files.exists(p)) throw new UserError(p + ": no such file or directory");
            if (!Files.isDirectory(p)) {
                skipped.accept(p + ": not a fixture folder");
                continue;
            }
            if (Files.isRegularFile(p.resolve(Fixture.CASE_JSON))) {
                out.add(p);
                continue;
            }
            List<Path> inner;
            try (Stream<Path> s = Files.list(p)) {
                inner = s.filter(d -> Files.isRegularFile(d.resolve(Fixture.CASE_JSON))).sorted().toList();
            } catch (IOException e) {
                throw new UserError(p + ": cannot list (" + e.getMessage() + ")", e);
            }
            if (inner.isEmpty()) throw new UserError(p + ": no case.json here or in its subfolders (not a fixture folder)");
            out.addAll(inner);
        }
        if (out.isEmpty()) throw new UserError("no fixture folders among " + args);
        return out;
    }
}
