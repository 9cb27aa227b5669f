package xlstm.maven;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Build-time device code of the generated CUDA kernels: {@code nvcc -arch=ARCH -ptx} on each {@code .cu} file, written
 * next to it as {@code .ptx}, then that PTX assembled for ARCH into a {@code .cubin} beside it. The runtime loads the
 * cubin on GPUs of ARCH's generation (no JIT at first use: on an H200 with an empty JIT cache, 1.2 s of a 3-token
 * prompt's first run went to compiling PTX), the PTX with the driver's JIT on newer ones, and needs NVRTC only where
 * neither was built (docs/glue-contract.md). The files are compiled in parallel; a compile error fails with nvcc's
 * message.
 */
final class PtxCompiler {
    /** The H100/H200 generation the kernels are written for; the driver JIT-compiles the PTX for newer GPUs too. */
    static final String DEFAULT_ARCH = "sm_90";
    private static final Pattern ARCH = Pattern.compile("sm_[0-9]{2,3}a?");

    private final Path nvcc;
    private final String arch;

    PtxCompiler(Path nvcc, String arch) {
        if (!ARCH.matcher(arch).matches()) throw new IllegalArgumentException("'" + arch + "' is not a CUDA architecture like sm_90");
        this.nvcc = nvcc;
        this.arch = arch;
    }

    /** nvcc on the PATH, under {@code $CUDA_HOME/bin} or under {@code /usr/local/cuda/bin}; null when there is none. */
    static Path findNvcc() {
        List<Path> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) for (String d : path.split(java.io.File.pathSeparator)) if (!d.isEmpty()) dirs.add(Path.of(d));
        String cudaHome = System.getenv("CUDA_HOME");
        if (cudaHome != null && !cudaHome.isEmpty()) dirs.add(Path.of(cudaHome, "bin"));
        dirs.add(Path.of("/usr/local/cuda/bin"));
        for (Path d : dirs) {
            Path p = d.resolve("nvcc");
            if (Files.isRegularFile(p) && Files.isExecutable(p)) return p.toAbsolutePath();
        }
        return null;
    }

    /** What goes into the up-to-date fingerprint: a different nvcc, architecture or output set builds again. */
    String describe() { return nvcc + " -arch=" + arch + " -ptx -cubin"; }

    String arch() { return arch; }

    /** The {@code .ptx} path of a {@code .cu} file. */
    static Path ptxOf(Path cu) {
        return beside(cu, ".ptx");
    }

    /** The {@code .cubin} path of a {@code .cu} file. */
    static Path cubinOf(Path cu) {
        return beside(cu, ".cubin");
    }

    private static Path beside(Path cu, String extension) {
        String n = cu.getFileName().toString();
        return cu.resolveSibling(n.substring(0, n.length() - ".cu".length()) + extension);
    }

    /** Compiles every file of {@code cuFiles}; returns the PTX and cubin files, a pair per source in the same order. */
    List<Path> compile(List<Path> cuFiles) throws IOException {
        int threads = Math.max(1, Math.min(cuFiles.size(), Runtime.getRuntime().availableProcessors()));
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<List<Path>>> jobs = new ArrayList<>();
            for (Path cu : cuFiles) jobs.add(pool.submit(() -> compileOne(cu)));
            List<Path> out = new ArrayList<>();
            for (Future<List<Path>> j : jobs) out.addAll(j.get());
            return out;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while nvcc ran", e);
        } finally {
            pool.shutdownNow();
        }
    }

    private List<Path> compileOne(Path cu) throws IOException, InterruptedException {
        Path ptx = ptxOf(cu), cubin = cubinOf(cu);
        nvcc(cu, "-ptx", "-lineinfo", "-o", ptx.toString(), cu.toString());
        nvcc(cu, "-cubin", "-o", cubin.toString(), ptx.toString());
        return List.of(ptx, cubin);
    }

    /** nvcc -arch=ARCH with {@code args}; a failure names {@code cu} and carries nvcc's output. */
    private void nvcc(Path cu, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(nvcc.toString(), "-arch=" + arch));
        command.addAll(List.of(args));
        Path log = Files.createTempFile("nvcc", ".log");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("nvcc took over 300 s on " + cu);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("nvcc -arch=" + arch + " " + args[0] + " failed on " + cu + " (exit "
                        + p.exitValue() + "): " + Files.readString(log, StandardCharsets.UTF_8).strip());
            }
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
