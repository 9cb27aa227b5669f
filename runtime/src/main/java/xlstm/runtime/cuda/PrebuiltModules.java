package xlstm.runtime.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import xlstm.backends.cuda.CuModule;
import xlstm.backends.cuda.CudaContext;
import xlstm.backends.cuda.CudaException;
import xlstm.backends.cuda.CudaLibraries;

/**
 * Machine code for sm_90 of this package's hand-written CUDA sources, built by {@code nvcc -cubin} at build time
 * (this class's {@link #main}, run by the runtime module's build) and shipped in the jar. Without it the driver
 * JIT-compiles the PTX NVRTC makes on every machine whose JIT cache is empty (a fresh container, a new driver): 4.8 s
 * for large_glue, choice, gemv and gemv_rows on the H200, against 0.03 s each once cached. A build-time image is found
 * by the SHA-256 of the exact source text the loader compiles (prelude, defines and file), so a flag that changes the
 * defines, or a source edited after the build, finds none and goes to NVRTC as before. Used on devices of compute
 * capability 9.x (an sm_90 cubin runs on no other); {@code -Dxlstm.cuda.prebuilt=false} always compiles with NVRTC.
 */
final class PrebuiltModules {
    private PrebuiltModules() {}

    /** Where the images lie on the class path. */
    static final String DIR = "xlstm/runtime/cuda/sm_90/";
    /** The architecture they are built for. */
    static final String ARCH = "sm_90";

    /**
     * The module of {@code source} (named {@code name}): its build-time cubin where there is one for this text and
     * this device can run it, else NVRTC's compile ({@link CudaContext#module}).
     */
    static CuModule module(CudaContext ctx, String name, String source) {
        if (xlstm.runtime.backend.CudaKernels.machineCodeRuns(ctx.device().computeCapability(), 90)) {
            String resource = resourceOf(name, source);
            byte[] image = read(resource);
            if (image != null) {
                try {
                    return ctx.load(name + " (" + ARCH + " cubin built by nvcc)", image, ARCH, "prebuilt/" + resource, "");
                } catch (CudaException e) {
                    // a driver older than the build's toolkit may refuse the cubin: NVRTC's PTX still loads
                    System.getLogger("xlstm.cuda").log(System.Logger.Level.DEBUG,
                            "build-time " + name + " not loaded (" + e.getMessage() + "); compiling with NVRTC");
                }
            }
        }
        return ctx.module(name, source);
    }

    /** The class-path name of the image of {@code source}: the file's name and the first 16 hex digits of its hash. */
    static String resourceOf(String name, String source) {
        String base = name.endsWith(".cu") ? name.substring(0, name.length() - 3) : name;
        return DIR + base + "-" + sha256(source).substring(0, 16) + ".cubin";
    }

    /** The sources the loaders compile with every flag at its default, by file name. */
    static Map<String, String> defaultSources() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("large_glue.cu", GlueKernels.source(GlueKernels.RESOURCE));
        m.put("choice.cu", GlueKernels.source(ChoiceKernels.RESOURCE, ChoiceKernels.defines()));
        m.put("gemv_bf16.cu", GlueKernels.source(GemvKernels.RESOURCE, GemvKernels.defines()));
        m.put("gemv_rows_bf16.cu", GlueKernels.source(RowsGemvKernels.RESOURCE, RowsGemvKernels.defines()));
        m.put("read_probe.cu", GlueKernels.source(ReadProbe.RESOURCE));
        return m;
    }

    /**
     * The build step: {@code nvcc -cubin -arch=sm_90} on each of {@link #defaultSources} into {@code OUT/}{@link #DIR}.
     * Arguments: OUT (the module's classes folder) and MODE: {@code auto} builds when nvcc is found and says so when
     * not; {@code true} fails without nvcc; {@code false} builds nothing (the property {@code xlstm.ptx}, as for the
     * generated kernels). An nvcc error fails the build with nvcc's message.
     */
    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length != 2) throw new IllegalArgumentException("usage: PrebuiltModules OUT auto|true|false");
        String mode = args[1].trim().toLowerCase(java.util.Locale.ROOT);
        if (!mode.equals("auto") && !mode.equals("true") && !mode.equals("false")) {
            throw new IllegalArgumentException("xlstm.ptx must be auto, true or false, not '" + args[1] + "'");
        }
        if (mode.equals("false")) return;
        Path nvcc = CudaLibraries.nvcc();
        if (nvcc == null) {
            if (mode.equals("true")) throw new IllegalStateException("xlstm.ptx=true but there is no nvcc (PATH, CUDA_HOME)");
            System.out.println("xlstm: no nvcc, so no build-time cubins of the plumbing kernels (NVRTC compiles them at run time)");
            return;
        }
        Path out = Path.of(args[0]).resolve(DIR);
        Files.createDirectories(out);
        try (var old = Files.list(out)) {
            for (Path p : old.toList()) if (p.toString().endsWith(".cubin")) Files.delete(p);
        }
        Path work = Files.createTempDirectory("xlstm-cubins");
        try {
            for (Map.Entry<String, String> e : defaultSources().entrySet()) {
                Path cu = work.resolve(e.getKey()), log = work.resolve(e.getKey() + ".log");
                Files.writeString(cu, e.getValue(), StandardCharsets.UTF_8);
                Path cubin = Path.of(args[0]).resolve(resourceOf(e.getKey(), e.getValue()));
                Process p = new ProcessBuilder(nvcc.toString(), "-cubin", "-arch=" + ARCH, "-o", cubin.toString(), cu.toString())
                        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
                if (!p.waitFor(300, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException("nvcc took over 300 s on " + e.getKey());
                }
                if (p.exitValue() != 0) {
                    throw new IllegalStateException("nvcc -cubin -arch=" + ARCH + " failed on " + e.getKey() + " (exit "
                            + p.exitValue() + "): " + Files.readString(log, StandardCharsets.UTF_8).strip());
                }
            }
            System.out.println("xlstm: " + defaultSources().size() + " plumbing kernels built for " + ARCH + " by " + nvcc);
        } finally {
            try (var left = Files.list(work)) {
                for (Path p : left.toList()) Files.deleteIfExists(p);
            }
            Files.deleteIfExists(work);
        }
    }

    private static byte[] read(String resource) {
        try (InputStream in = PrebuiltModules.class.getClassLoader().getResourceAsStream(resource)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
