package xlstm.maven;

import xlstm.codegen.Compiler;
import xlstm.codegen.DumpSink;
import xlstm.codegen.EmittedFile;
import xlstm.codegen.Target;
import xlstm.codegen.schedule.ScheduledCell;
import xlstm.dsl.Dsl;
import xlstm.dsl.DslException;
import xlstm.dsl.ast.AstFile;
import xlstm.dsl.ir.IrModule;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What the {@code generate} goal does, without Maven: compiles the {@code *.xl} files of a directory for several
 * targets through the {@link Compiler} facade, writes {@code .java} files under the Java output directory and every
 * other file under the resources directory (each at the path its emitter chose), rewrites a file only when its content
 * changes, removes the files of the previous run that are no longer produced, and skips all of it when nothing that
 * goes into the result changed ({@link GenerationState}).
 */
final class Generator {
    /** The compiler's Java package, as its Java emitter writes it. */
    static final String DEFAULT_PACKAGE = "xlstm.generated";
    private static final Pattern PACKAGE_NAME = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]*(\\.[A-Za-z_$][A-Za-z0-9_$]*)*");

    /**
     * @param javaPackage the package of the generated Java classes; null or blank for the compiler's
     * @param dumpDir     where to write every compilation stage; null for none
     */
    record Config(Path sourceDir, Path javaOut, Path resourcesOut, List<Target> targets, String javaPackage, Path dumpDir,
                  PtxCompiler ptx) {
        /** Without build-time PTX. */
        Config(Path sourceDir, Path javaOut, Path resourcesOut, List<Target> targets, String javaPackage, Path dumpDir) {
            this(sourceDir, javaOut, resourcesOut, targets, javaPackage, dumpDir, null);
        }

        Config {
            sourceDir = sourceDir.toAbsolutePath().normalize();
            javaOut = javaOut.toAbsolutePath().normalize();
            resourcesOut = resourcesOut.toAbsolutePath().normalize();
            dumpDir = dumpDir == null ? null : dumpDir.toAbsolutePath().normalize();
            targets = List.copyOf(targets);
            javaPackage = javaPackage == null || javaPackage.isBlank() ? DEFAULT_PACKAGE : javaPackage.trim();
            if (!PACKAGE_NAME.matcher(javaPackage).matches())
                throw new IllegalArgumentException("'" + javaPackage + "' is not a Java package name");
        }

        /** The configuration as text, for the fingerprint. */
        String describe() {
            return "src=" + sourceDir + "\njava=" + javaOut + "\nres=" + resourcesOut + "\ntargets="
                    + targets.stream().map(Target::id).collect(Collectors.joining(",")) + "\npackage=" + javaPackage
                    + "\ndump=" + dumpDir + "\nptx=" + (ptx == null ? "none" : ptx.describe());
        }
    }

    /** What a run did: {@code upToDate} when it compiled nothing; file counts of the current generated set. */
    record Result(boolean upToDate, int sources, int javaFiles, int resourceFiles, int changed, int removed) {}

    /** There is nothing to compile. */
    static final class NoSourcesException extends Exception {
        NoSourcesException(String message) { super(message); }
    }

    private final Config config;
    private final Path stateFile;
    private final Consumer<String> log;

    Generator(Config config, Path stateFile, Consumer<String> log) {
        this.config = config;
        this.stateFile = stateFile.toAbsolutePath().normalize();
        this.log = log;
    }

    /**
     * The targets to compile for: all targets with an emitter when {@code names} is null or empty, otherwise the
     * named ones; {@code java} always, first.
     *
     * @throws IllegalArgumentException for an unknown target or one the compiler has no emitter for
     */
    static List<Target> resolveTargets(List<String> names) {
        EnumSet<Target> set = EnumSet.of(Target.JAVA);
        List<String> given = names == null ? List.of() : names.stream()
                .flatMap(n -> Arrays.stream(n.split(","))).map(String::trim).filter(n -> !n.isEmpty()).toList();
        if (given.isEmpty()) {
            for (Target t : Target.values()) if (t.available()) set.add(t);
        } else {
            for (String n : given) {
                Target t = Target.byId(n).orElseThrow(() -> new IllegalArgumentException("unknown target '" + n
                        + "' (known: " + Arrays.stream(Target.values()).map(Target::id).collect(Collectors.joining(", ")) + ")"));
                if (!t.available()) throw new IllegalArgumentException("target '" + t.id()
                        + "' has no emitter in this version of the xlstm compiler (available: " + available() + ")");
                set.add(t);
            }
        }
        return List.copyOf(set);
    }

    static String available() {
        return Arrays.stream(Target.values()).filter(Target::available).map(Target::id).collect(Collectors.joining(", "));
    }

    Result run(boolean force) throws IOException, NoSourcesException {
        if (!Files.isDirectory(config.sourceDir()))
            throw new NoSourcesException("the DSL source directory " + config.sourceDir() + " does not exist");
        List<Path> sources = Dsl.findSources(config.sourceDir());
        if (sources.isEmpty()) throw new NoSourcesException("no " + Dsl.EXTENSION + " files under " + config.sourceDir());

        String fingerprint = GenerationState.fingerprint(config.describe(), config.sourceDir(), sources, toolClasspath());
        GenerationState previous = GenerationState.read(stateFile);
        if (!force && config.dumpDir() == null && previous != null && previous.fingerprint().equals(fingerprint)
                && previous.outputsExist()) {
            int java = previous.count(config.javaOut()), res = previous.outputs().size() - java;
            log.accept("xlstm: " + sources.size() + " source file(s) unchanged, " + previous.outputs().size()
                    + " generated file(s) up to date");
            return new Result(true, sources.size(), java, res, 0, 0);
        }

        Files.deleteIfExists(stateFile); // a failed compilation leaves no state behind: the next build compiles again
        Map<Path, String> files = compile(sources);
        int changed = 0, removed = 0, java = 0;
        for (Map.Entry<Path, String> e : files.entrySet()) {
            if (e.getKey().startsWith(config.javaOut())) java++;
            if (writeIfChanged(e.getKey(), e.getValue())) changed++;
        }
        List<Path> outputs = new ArrayList<>(files.keySet());
        List<Path> ptx = buildPtx(files.keySet());
        outputs.addAll(ptx);
        if (previous != null) {
            for (Path old : previous.outputs()) {
                boolean ours = old.startsWith(config.javaOut()) || old.startsWith(config.resourcesOut());
                if (ours && !outputs.contains(old) && Files.deleteIfExists(old)) removed++;
            }
        }
        new GenerationState(fingerprint, List.copyOf(outputs)).write(stateFile);
        log.accept("xlstm: " + sources.size() + " source file(s) -> " + java + " Java and " + (files.size() - java)
                + " kernel source file(s) for " + config.targets().stream().map(Target::id).collect(Collectors.joining(", "))
                + " (" + changed + " written, " + removed + " removed)");
        return new Result(false, sources.size(), java, outputs.size() - java, changed, removed);
    }

    /** The PTX and cubin of every generated CUDA source when the config has a {@link PtxCompiler}; the files written. */
    private List<Path> buildPtx(java.util.Collection<Path> generated) throws IOException {
        if (config.ptx() == null) return List.of();
        List<Path> cu = generated.stream().filter(p -> p.startsWith(config.resourcesOut())
                && p.getFileName().toString().endsWith(".cu")).toList();
        if (cu.isEmpty()) return List.of();
        List<Path> ptx = config.ptx().compile(cu);
        log.accept("xlstm: PTX and cubins for " + config.ptx().arch() + " of " + ptx.size() / 2 + " CUDA kernel(s), by "
                + config.ptx().describe());
        return ptx;
    }

    /** All emitted files of all targets, by the absolute path they are written to. */
    private Map<Path, String> compile(List<Path> sources) throws IOException {
        DumpSink dump = DumpSink.NONE;
        if (config.dumpDir() != null) {
            Files.createDirectories(config.dumpDir());
            dump = (stage, unit, text) -> {
                String safe = unit.replaceAll("[^A-Za-z0-9_.-]", "_");
                try {
                    Files.writeString(config.dumpDir().resolve(safe + "." + stage + ".txt"), text, StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            };
        }
        // the stages of Compiler.compile, with the front end and the schedules shared by all targets
        List<AstFile> asts = Dsl.parse(sources);
        for (AstFile a : asts) dump.accept("ast", a.name(), Dsl.dumpAst(a));
        List<IrModule> modules = Dsl.lower(asts);
        List<ScheduledCell> cells = Compiler.schedule(modules, dump);
        Map<Path, String> out = new LinkedHashMap<>();
        Map<Path, Target> producer = new LinkedHashMap<>();
        for (Target t : config.targets()) {
            for (EmittedFile f : Compiler.emit(cells, t, dump)) {
                EmittedFile g = relocate(f, config.javaPackage());
                boolean isJava = g.relativePath().endsWith(".java");
                Path p = (isJava ? config.javaOut() : config.resourcesOut()).resolve(g.relativePath()).normalize();
                if (!p.startsWith(isJava ? config.javaOut() : config.resourcesOut()))
                    throw new IllegalStateException("the " + t.id() + " emitter wrote outside its directory: " + g.relativePath());
                Target before = producer.put(p, t);
                if (before != null) throw new IllegalStateException("targets " + before.id() + " and " + t.id()
                        + " both produce " + g.relativePath());
                out.put(p, g.content());
            }
        }
        return out;
    }

    /**
     * Moves a file from under the compiler's package folder {@code xlstm/generated/} to the folder of {@code pkg}: a
     * Java file with its package declaration and every reference to the compiler's package (all generated classes move
     * together, sub-packages included), any other file (the C-family kernel sources and their {@code index.tsv}, whose
     * entries name files of their own folder) only by its path, so that a user's kernel resources cannot shadow those
     * of {@code xlstm-generated} on the class path. Files elsewhere are unchanged; a Java file elsewhere cannot move.
     */
    static EmittedFile relocate(EmittedFile f, String pkg) {
        String dir = DEFAULT_PACKAGE.replace('.', '/') + "/";
        if (pkg.equals(DEFAULT_PACKAGE)) return f;
        boolean java = f.relativePath().endsWith(".java");
        if (!f.relativePath().startsWith(dir)) {
            if (!java) return f;
            throw new IllegalStateException("cannot move " + f.relativePath() + " to package " + pkg + ": it is not in "
                    + DEFAULT_PACKAGE + " (leave javaPackage unset)");
        }
        String path = pkg.replace('.', '/') + "/" + f.relativePath().substring(dir.length());
        if (!java) return new EmittedFile(path, f.unit(), f.content());
        String content = Pattern.compile("\\b" + Pattern.quote(DEFAULT_PACKAGE) + "\\b").matcher(f.content())
                .replaceAll(Matcher.quoteReplacement(pkg));
        if (!Pattern.compile("(?m)^package " + Pattern.quote(pkg) + "(\\.[\\w.]+)?;").matcher(content).find())
            throw new IllegalStateException("cannot move " + f.relativePath() + " to package " + pkg
                    + ": it has no package declaration of the form this plugin expects (leave javaPackage unset)");
        return new EmittedFile(path, f.unit(), content);
    }

    static boolean writeIfChanged(Path p, String content) throws IOException {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        if (Files.isRegularFile(p) && Files.size(p) == bytes.length && Arrays.equals(Files.readAllBytes(p), bytes)) return false;
        Files.createDirectories(p.getParent());
        Files.write(p, bytes);
        return true;
    }

    /** The class path the compiler runs from (the plugin's class realm inside Maven). */
    static List<Path> toolClasspath() {
        List<Path> out = new ArrayList<>();
        ClassLoader cl = Generator.class.getClassLoader();
        if (cl instanceof java.net.URLClassLoader u) {
            for (java.net.URL url : u.getURLs()) add(out, url);
        }
        for (Class<?> c : List.of(Generator.class, Compiler.class, Dsl.class)) {
            var cs = c.getProtectionDomain().getCodeSource();
            if (cs != null && cs.getLocation() != null) add(out, cs.getLocation());
        }
        return out.stream().distinct().toList();
    }

    private static void add(List<Path> out, java.net.URL url) {
        if (!"file".equals(url.getProtocol().toLowerCase(Locale.ROOT))) return;
        try {
            out.add(Path.of(url.toURI()).toAbsolutePath().normalize());
        } catch (java.net.URISyntaxException | IllegalArgumentException ignored) {
            // not a local file: not part of the fingerprint
        }
    }
}
