package xlstm.maven;

import org.apache.maven.model.Resource;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;
import xlstm.dsl.Diagnostic;
import xlstm.dsl.DslException;

import java.io.File;
import java.io.IOException;
import java.util.List;

/**
 * Compiles every {@code *.xl} file under {@link #sourceDirectory} with the xLSTM DSL compiler
 * ({@code xlstm.codegen.Compiler}) for each chosen target: Java sources go to {@link #outputDirectory}, which becomes a
 * compile source root; kernel sources of the other targets (CUDA, HIP, OpenCL, Metal, as far as this version of the
 * compiler has their emitters) go to {@link #resourcesDirectory}, which becomes a resource directory, so they end up
 * in the jar. A DSL error fails the build with one {@code file:line:col: message} line per error.
 * <p>
 * Incremental: when neither the sources, the configuration nor the compiler changed since the last run and every file
 * it wrote is still there, nothing is compiled (see {@link GenerationState}).
 */
@Mojo(name = "generate", defaultPhase = LifecyclePhase.GENERATE_SOURCES, threadSafe = true)
public class GenerateMojo extends AbstractMojo {

    /** The DSL sources: every {@code *.xl} file below it, in any sub-directory, is compiled (all together). */
    @Parameter(property = "xlstm.sourceDirectory", defaultValue = "${project.basedir}/src/main/xlstm", required = true)
    private File sourceDirectory;

    /** Where the generated Java sources go; added to the project's compile source roots. */
    @Parameter(property = "xlstm.outputDirectory", defaultValue = "${project.build.directory}/generated-sources/xlstm",
            required = true)
    private File outputDirectory;

    /**
     * Where the generated non-Java files go (the kernel sources of the CUDA, HIP, OpenCL and Metal targets); added as a
     * resource directory, so they are copied into the jar under the path the emitter chose.
     */
    @Parameter(property = "xlstm.resourcesDirectory",
            defaultValue = "${project.build.directory}/generated-resources/xlstm", required = true)
    private File resourcesDirectory;

    /**
     * Targets to compile for ({@code java}, {@code cuda}, {@code hip}, {@code opencl}, {@code metal}); {@code java} is
     * always included. Empty (the default): every target the compiler has an emitter for. Naming a target the compiler
     * knows but cannot emit yet fails the build. On the command line: {@code -Dxlstm.targets=java,opencl}.
     */
    @Parameter(property = "xlstm.targets")
    private List<String> targets;

    /**
     * The package of the generated Java classes, and the folder of the generated kernel resources (e.g.
     * {@code com/acme/kernels/opencl/} instead of {@code xlstm/generated/opencl/}). Empty (the default): the
     * compiler's, {@code xlstm.generated}. A project that ships its own cells should pick its own package, so that
     * neither its classes nor its kernel resources can clash with those of {@code xlstm-generated} on the class path.
     */
    @Parameter(property = "xlstm.javaPackage")
    private String javaPackage;

    /**
     * When set, every compilation stage is written to {@code <dir>/<unit>.<stage>.txt} ({@code ast}, {@code ir}, the
     * IR passes, {@code scheduled}, {@code source}); the sources are then compiled on every build.
     */
    @Parameter(property = "xlstm.dumpDirectory")
    private File dumpDirectory;

    /**
     * Build-time PTX of the CUDA kernels ({@code nvcc -arch=<ptxArch> -ptx}, a {@code .ptx} next to each {@code .cu}):
     * {@code auto} (the default) when nvcc is on the PATH, under {@code $CUDA_HOME/bin} or {@code /usr/local/cuda/bin};
     * {@code true} requires it; {@code false} never. Without PTX the runtime compiles the sources with NVRTC.
     */
    @Parameter(property = "xlstm.ptx", defaultValue = "auto")
    private String ptx;

    /** The architecture of the build-time PTX. */
    @Parameter(property = "xlstm.ptxArch", defaultValue = PtxCompiler.DEFAULT_ARCH)
    private String ptxArch;

    /** Compile even when the generated files are up to date. */
    @Parameter(property = "xlstm.force", defaultValue = "false")
    private boolean force;

    /** Skip the goal (nothing is generated or added to the build). */
    @Parameter(property = "xlstm.skip", defaultValue = "false")
    private boolean skip;

    /** Where the state of the last run is kept (for the up-to-date check). */
    @Parameter(defaultValue = "${project.build.directory}/xlstm-maven-plugin/${mojoExecution.executionId}.state",
            readonly = true, required = true)
    private File stateFile;

    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    private MavenProject project;

    /** The PTX compiler the {@code ptx} option asks for, or null; a bad option value is an IllegalArgumentException. */
    private PtxCompiler ptxCompiler() {
        String mode = ptx == null ? "auto" : ptx.trim().toLowerCase(java.util.Locale.ROOT);
        if (mode.equals("false")) return null;
        if (!mode.equals("auto") && !mode.equals("true"))
            throw new IllegalArgumentException("ptx must be auto, true or false, not '" + ptx + "'");
        java.nio.file.Path nvcc = PtxCompiler.findNvcc();
        if (nvcc == null) {
            if (mode.equals("true")) throw new IllegalArgumentException(
                    "ptx=true but nvcc is not on the PATH, under $CUDA_HOME/bin or under /usr/local/cuda/bin");
            getLog().info("xlstm: no nvcc, so no build-time PTX (the runtime compiles the CUDA kernels with NVRTC)");
            return null;
        }
        return new PtxCompiler(nvcc, ptxArch);
    }

    @Override
    public void execute() throws MojoExecutionException, MojoFailureException {
        if (skip) {
            getLog().info("xlstm: skipped (xlstm.skip)");
            return;
        }
        Generator.Config config;
        try {
            List<xlstm.codegen.Target> chosen = Generator.resolveTargets(targets);
            config = new Generator.Config(sourceDirectory.toPath(), outputDirectory.toPath(),
                    resourcesDirectory.toPath(), chosen, javaPackage,
                    dumpDirectory == null ? null : dumpDirectory.toPath(),
                    chosen.contains(xlstm.codegen.Target.CUDA) ? ptxCompiler() : null);
        } catch (IllegalArgumentException e) {
            throw new MojoFailureException("xlstm: " + e.getMessage());
        }
        Generator.Result result;
        try {
            result = new Generator(config, stateFile.toPath(), getLog()::info).run(force);
        } catch (DslException e) {
            List<Diagnostic> ds = e.diagnostics();
            for (Diagnostic d : ds) getLog().error(d.toString());
            StringBuilder msg = new StringBuilder("xlstm: ").append(ds.size()).append(ds.size() == 1 ? " error" : " errors")
                    .append(" in the DSL sources:");
            for (Diagnostic d : ds) msg.append(System.lineSeparator()).append(d);
            throw new MojoFailureException(msg.toString());
        } catch (Generator.NoSourcesException e) {
            throw new MojoFailureException("xlstm: " + e.getMessage());
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new MojoExecutionException("xlstm: cannot write the generated files: " + e, e);
        } catch (IllegalStateException e) {
            throw new MojoExecutionException("xlstm: " + e.getMessage(), e);
        }
        project.addCompileSourceRoot(outputDirectory.getAbsolutePath());
        if (result.resourceFiles() > 0) {
            Resource r = new Resource();
            r.setDirectory(resourcesDirectory.getAbsolutePath());
            project.addResource(r);
        }
    }
}
