package xlstm.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import xlstm.codegen.Compiler;
import xlstm.codegen.DumpSink;
import xlstm.codegen.EmittedFile;
import xlstm.codegen.Target;
import xlstm.runtime.UserError;

/** {@code xlstm compile}: DSL cells and kernels to source files for one target, optionally showing every stage. */
@Command(name = "compile", mixinStandardHelpOptions = true,
        description = {"Compile DSL files (.xl) to source for a target: java writes one class per cell/kernel,",
                "cuda/hip/opencl/metal one self-contained kernel file per cell schedule or kernel plus an index.tsv",
                "(under DIR/xlstm/generated/<target>/; launch contract: docs/glue-contract.md).",
                "With --dump, print every stage: AST, IR (and each pass), the backward (adjoint step) of each cell, scheduled IR, emitted source.",
                "Errors are reported as file:line:col: message."},
        footer = {"", "Example: xlstm compile generated/src/main/xlstm/cells/mlstm.xl --target java --out /tmp/k --dump",
                "         xlstm compile generated/src/main/xlstm/cells/mlstm.xl --target opencl --out /tmp/k"})
final class CompileCommand implements Callable<Integer> {
    @Parameters(arity = "1..*", paramLabel = "FILE.xl", description = "DSL source files, compiled together.")
    List<Path> files;

    @Option(names = "--target", defaultValue = "java", paramLabel = "TARGET",
            description = "java, cuda, hip, opencl or metal. Default: ${DEFAULT-VALUE}.")
    String target;

    @Option(names = {"-o", "--out"}, paramLabel = "DIR", description = "Folder to write the emitted files into.")
    Path out;

    @Option(names = "--dump", description = "Print every compilation stage to stdout.")
    boolean dump;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        Target t = Target.byId(target).orElseThrow(() -> new UserError("unknown target '" + target + "'; targets: "
                + Arrays.stream(Target.values()).map(Target::id).collect(Collectors.joining(", "))));
        if (!t.available()) {
            throw new UserError("target " + t.id() + " is not implemented yet (available targets: "
                    + Arrays.stream(Target.values()).filter(Target::available).map(Target::id)
                    .collect(Collectors.joining(", ")) + ")");
        }
        if (out == null && !dump) throw new UserError("--out DIR is required (or --dump to only print the stages)");
        for (Path f : files) {
            if (!Files.isRegularFile(f)) {
                throw new UserError(f + (Files.exists(f) ? ": not a file" : ": no such file"));
            }
        }
        PrintWriter stdout = spec.commandLine().getOut();
        DumpSink sink = !dump ? DumpSink.NONE : (stage, unit, text) -> {
            stdout.println("==== " + stage + " : " + unit + " ====");
            stdout.println(text.stripTrailing());
            stdout.println();
        };
        List<EmittedFile> emitted = Compiler.compile(files, t, sink);
        if (out != null) {
            Path root = out.toAbsolutePath().normalize();
            for (EmittedFile f : emitted) {
                Path dst = root.resolve(f.relativePath()).normalize();
                if (!dst.startsWith(root)) throw new IllegalStateException("emitted path escapes the output: " + f.relativePath());
                try {
                    Files.createDirectories(dst.getParent());
                    Files.writeString(dst, f.content());
                } catch (IOException e) {
                    throw new UserError(dst + ": cannot write (" + e.getMessage() + ")", e);
                }
                stdout.println("wrote " + out.resolve(f.relativePath()) + " (" + f.unit() + ")");
            }
        }
        stdout.flush();
        return 0;
    }
}
