package xlstm.codegen.c;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Finds the external compilers the C-family checks need and applies the project's rule for missing ones: with
 * {@code XLSTM_REQUIRE_TOOLCHAINS=1} in the environment (CI) a missing tool FAILS the test, otherwise the test is
 * skipped (aborted) with a message saying what is missing; it never passes silently. Each tool may be pointed at
 * explicitly: {@code XLSTM_NVCC}, {@code XLSTM_HIPCC}, {@code XLSTM_CLANGXX}, {@code XLSTM_CC}.
 */
final class Toolchains {
    private Toolchains() {}

    static boolean required() { return "1".equals(System.getenv("XLSTM_REQUIRE_TOOLCHAINS")); }

    /** Fails (CI) or skips (elsewhere) because {@code what} is missing. */
    static <T> T missing(String what) {
        String msg = what + " (set XLSTM_REQUIRE_TOOLCHAINS=1 to make this a failure; CI does)";
        if (required()) Assertions.fail("XLSTM_REQUIRE_TOOLCHAINS=1 but " + what);
        Assumptions.abort("skipped: " + msg);
        throw new AssertionError("unreachable");
    }

    /**
     * An executable: {@code $env}, then {@code names} on PATH, then the extra candidates, where one '*' in a path
     * component stands for a version ({@code [0-9.]*}; the highest wins).
     */
    static Optional<Path> find(String env, List<String> names, List<String> extra) {
        String e = System.getenv(env);
        if (e != null && !e.isBlank()) {
            Path p = Path.of(e);
            return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        String path = System.getenv().getOrDefault("PATH", "");
        for (String n : names)
            for (String dir : path.split(java.io.File.pathSeparator)) {
                if (dir.isEmpty()) continue;
                Path p = Path.of(dir, n);
                if (Files.isExecutable(p) && !Files.isDirectory(p)) return Optional.of(p);
            }
        for (String c : extra) {
            int star = c.indexOf('*');
            if (star < 0) {
                Path p = Path.of(c);
                if (Files.isExecutable(p)) return Optional.of(p);
                continue;
            }
            // one '*' in a path component: highest match (version-sorted by name) wins
            Path parent = Path.of(c.substring(0, c.lastIndexOf('/', star)));
            String rest = c.substring(c.lastIndexOf('/', star) + 1);
            String compPattern = rest.contains("/") ? rest.substring(0, rest.indexOf('/')) : rest;
            String tail = rest.contains("/") ? rest.substring(rest.indexOf('/') + 1) : "";
            int cs = compPattern.indexOf('*');
            String glob = java.util.regex.Pattern.quote(compPattern.substring(0, cs)) + "[0-9.]*"
                    + java.util.regex.Pattern.quote(compPattern.substring(cs + 1));
            if (!Files.isDirectory(parent)) continue;
            try (Stream<Path> s = Files.list(parent)) {
                Optional<Path> hit = s.filter(p -> p.getFileName().toString().matches(glob))
                        .map(p -> tail.isEmpty() ? p : p.resolve(tail))
                        .filter(Files::isExecutable)
                        .max(Comparator.comparing(p -> versionKey(p.toString())));
                if (hit.isPresent()) return hit;
            } catch (IOException ignored) {
            }
        }
        return Optional.empty();
    }

    private static String versionKey(String s) {
        // pad numbers so that clang++-15 sorts after clang++-9
        StringBuilder sb = new StringBuilder();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\d+|\\D+").matcher(s);
        while (m.find()) sb.append(m.group().matches("\\d+") ? "%08d".formatted(Long.parseLong(m.group())) : m.group());
        return sb.toString();
    }

    static Path nvcc() {
        return find("XLSTM_NVCC", List.of("nvcc"), List.of("/usr/local/cuda/bin/nvcc", "/usr/local/cuda-*/bin/nvcc"))
                .orElseGet(() -> missing("nvcc not found (PATH, /usr/local/cuda/bin; or XLSTM_NVCC)"));
    }

    static Path hipcc() {
        return find("XLSTM_HIPCC", List.of("hipcc"), List.of("/opt/rocm/bin/hipcc"))
                .orElseGet(() -> missing("hipcc not found (Debian: hipcc libamdhip64-dev rocm-device-libs; or XLSTM_HIPCC)"));
    }

    static Path clangxx() {
        return find("XLSTM_CLANGXX", List.of("clang++"), List.of("/usr/bin/clang++-*", "/usr/lib/llvm-*/bin/clang++"))
                .orElseGet(() -> missing("clang++ not found (PATH, clang++-N, /usr/lib/llvm-N; or XLSTM_CLANGXX)"));
    }

    static Path cc() {
        return find("XLSTM_CC", List.of("cc", "gcc", "clang"), List.of())
                .orElseGet(() -> missing("no C compiler (cc/gcc) to build the OpenCL test driver"));
    }

    /** The OpenCL headers and ICD loader library needed to build the PoCL driver. */
    static void requireOpenClDev() {
        boolean header = Files.exists(Path.of("/usr/include/CL/cl.h"));
        boolean lib = Stream.of("/usr/lib/x86_64-linux-gnu/libOpenCL.so", "/usr/lib/aarch64-linux-gnu/libOpenCL.so",
                "/usr/lib64/libOpenCL.so", "/usr/lib/libOpenCL.so").anyMatch(p -> Files.exists(Path.of(p)));
        if (!header || !lib)
            missing("OpenCL development files not found (Debian: ocl-icd-opencl-dev, with pocl-opencl-icd for a device)");
    }

    record Result(int code, String output) {}

    /** Runs a command in {@code dir} (stdout and stderr together), with a time limit. */
    static Result run(Path dir, Map<String, String> env, List<String> cmd, long timeoutSeconds) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(cmd)).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        byte[] out;
        try (var in = p.getInputStream()) {
            out = readAll(in, p, timeoutSeconds);
        }
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    private static byte[] readAll(java.io.InputStream in, Process p, long timeoutSeconds) throws IOException, InterruptedException {
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        Thread t = Thread.ofVirtual().start(() -> {
            try { in.transferTo(buf); } catch (IOException ignored) { }
        });
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor();
            t.join();
            throw new AssertionError("timed out after " + timeoutSeconds + " s: " + p.info().commandLine().orElse("?")
                    + "\n" + buf.toString(StandardCharsets.UTF_8));
        }
        t.join();
        return buf.toByteArray();
    }
}
