package xlstm.codegen;

import xlstm.dsl.Diagnostic;
import xlstm.dsl.Dsl;
import xlstm.dsl.DslException;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The build-time generator:
 * {@code GenerateMain <srcDir> <outDir> [--target java] [--kernels <resDir>] [--dump <dir>]}.
 * Compiles every {@code *.xl} under srcDir and writes the emitted files under outDir (a file is rewritten only when
 * its content changes; stale generated files of the target's package are removed). With {@code --kernels} the
 * sources of every C-family target (cuda, hip, opencl, metal: {@code xlstm/generated/<target>/*} plus each
 * {@code index.tsv}) are also written under resDir, the {@code generated} module's resources. With {@code --dump}
 * every stage is written to {@code <dir>/<unit>.<stage>.txt}. On DSL errors prints {@code file:line:col: message}
 * lines to stderr and exits with status 2 (other failures: 1).
 */
public final class GenerateMain {
    private GenerateMain() {}

    /** The targets {@code --kernels} writes: every C-family target. */
    public static final List<Target> KERNEL_TARGETS = List.of(Target.CUDA, Target.HIP, Target.OPENCL, Target.METAL);

    public static void main(String[] args) {
        int rc = run(args, System.out, System.err);
        if (rc != 0) {
            if (Boolean.getBoolean("xlstm.codegen.noExit")) throw new IllegalStateException("xlstm code generation failed (status " + rc + ")");
            System.exit(rc);
        }
    }

    /** The generator without {@code System.exit}: returns the exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        Path src = null, dst = null, dumpDir = null, kernelDir = null;
        Target target = Target.JAVA;
        List<String> pos = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--target" -> {
                    if (++i >= args.length) return usage(err, "--target needs a value");
                    var t = Target.byId(args[i]);
                    if (t.isEmpty()) return usage(err, "unknown target " + args[i]);
                    target = t.get();
                }
                case "--kernels" -> {
                    if (++i >= args.length) return usage(err, "--kernels needs a directory");
                    kernelDir = Path.of(args[i]);
                }
                case "--dump" -> {
                    if (++i >= args.length) return usage(err, "--dump needs a directory");
                    dumpDir = Path.of(args[i]);
                }
                default -> pos.add(args[i]);
            }
        }
        if (pos.size() != 2) return usage(err, "expected <srcDir> <outDir>");
        src = Path.of(pos.get(0));
        dst = Path.of(pos.get(1));
        if (!target.available()) {
            err.println("xlstm-codegen: target '" + target.id() + "' has no emitter yet");
            return 1;
        }
        try {
            List<Path> sources = Dsl.findSources(src);
            if (sources.isEmpty()) {
                err.println("xlstm-codegen: no " + Dsl.EXTENSION + " files under " + src);
                return 1;
            }
            DumpSink dump = DumpSink.NONE;
            if (dumpDir != null) {
                Files.createDirectories(dumpDir);
                Path dd = dumpDir;
                dump = (stage, unit, text) -> {
                    String safe = unit.replaceAll("[^A-Za-z0-9_.-]", "_");
                    try {
                        Files.writeString(dd.resolve(safe + "." + stage + ".txt"), text, StandardCharsets.UTF_8);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                };
            }
            List<xlstm.dsl.ast.AstFile> asts = Dsl.parse(sources);
            for (xlstm.dsl.ast.AstFile a : asts) dump.accept("ast", a.name(), Dsl.dumpAst(a));
            List<xlstm.codegen.schedule.ScheduledCell> cells = Compiler.schedule(Dsl.lower(asts), dump);
            List<EmittedFile> files = Compiler.emit(cells, target, dump);
            int written = write(files, dst);
            out.println("xlstm-codegen: " + sources.size() + " source file(s), " + files.size() + " " + target.id()
                    + " file(s) in " + dst + " (" + written + " changed)");
            if (kernelDir != null) {
                for (Target t : KERNEL_TARGETS) {
                    List<EmittedFile> k = Compiler.emit(cells, t, dump);
                    int w = write(k, kernelDir);
                    out.println("xlstm-codegen: " + k.size() + " " + t.id() + " file(s) in " + kernelDir + " (" + w + " changed)");
                }
            }
            return 0;
        } catch (DslException e) {
            for (Diagnostic d : e.diagnostics()) err.println(d);
            return 2;
        } catch (IOException | RuntimeException e) {
            err.println("xlstm-codegen: " + e);
            e.printStackTrace(err);
            return 1;
        }
    }

    /** Writes files under root; returns how many changed. Removes stale files in the emitted directories. */
    static int write(List<EmittedFile> files, Path root) throws IOException {
        int changed = 0;
        Set<Path> produced = new HashSet<>();
        for (EmittedFile f : files) {
            Path p = root.resolve(f.relativePath());
            produced.add(p.toAbsolutePath().normalize());
            Files.createDirectories(p.getParent());
            if (Files.exists(p) && Files.readString(p, StandardCharsets.UTF_8).equals(f.content())) continue;
            Files.writeString(p, f.content(), StandardCharsets.UTF_8);
            changed++;
        }
        Set<Path> dirs = new HashSet<>();
        for (Path p : produced) dirs.add(p.getParent());
        for (Path d : dirs) {
            try (Stream<Path> s = Files.list(d)) {
                for (Path p : s.toList())
                    if (Files.isRegularFile(p) && !produced.contains(p.toAbsolutePath().normalize())) Files.delete(p);
            }
        }
        return changed;
    }

    private static int usage(PrintStream err, String why) {
        err.println("xlstm-codegen: " + why);
        err.println("usage: GenerateMain <srcDir> <outDir> [--target java|cuda|hip|opencl|metal] [--kernels <resDir>] [--dump <dir>]");
        return 1;
    }
}
