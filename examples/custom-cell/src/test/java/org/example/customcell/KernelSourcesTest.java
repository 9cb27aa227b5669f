package org.example.customcell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import xlstm.codegen.Compiler;
import xlstm.codegen.EmittedFile;
import xlstm.codegen.Target;
import xlstm.dsl.Dsl;

/**
 * (b) The build produced the cell for every target the compiler has an emitter for: each file the compiler emits for
 * {@code src/main/xlstm} is in this build, the Java ones as compiled classes of the configured package (and their
 * generated source), the others (CUDA, HIP, OpenCL, Metal kernel sources and each target's {@code index.tsv}) as
 * resources on the class path with the same content, in the package's folder instead of {@code xlstm/generated/}.
 * A target without an emitter is reported as skipped, so a new emitter is covered as soon as the compiler has it.
 */
class KernelSourcesTest {
    static final String PACKAGE = "org.example.customcell.kernels";

    @ParameterizedTest(name = "{0}")
    @EnumSource(Target.class)
    void everyTargetIsInTheBuild(Target target) throws IOException, ClassNotFoundException {
        assumeTrue(target.available(), () -> "the compiler has no " + target.id() + " emitter yet");
        List<EmittedFile> expected = Compiler.compile(Dsl.findSources(Reference.SOURCES), target, null);
        assertFalse(expected.isEmpty(), "no " + target.id() + " files emitted");
        for (EmittedFile f : expected) {
            String name = f.relativePath().substring(f.relativePath().lastIndexOf('/') + 1);
            String found;
            if (name.endsWith(".java")) {
                String simple = name.substring(0, name.length() - ".java".length());
                Class.forName(PACKAGE + "." + simple); // compiled into this build
                Path src = Path.of("target", "generated-sources", "xlstm").resolve(PACKAGE.replace('.', '/')).resolve(name);
                assertEquals(f.content().replace("package xlstm.generated;", "package " + PACKAGE + ";"),
                        Files.readString(src), src.toString());
                found = src + " (compiled)";
            } else {
                // the plugin moves the compiler's folder xlstm/generated/ to the package's, like the classes
                String path = f.relativePath().replaceFirst("^xlstm/generated/", PACKAGE.replace('.', '/') + "/");
                try (InputStream in = getClass().getClassLoader().getResourceAsStream(path)) {
                    assertNotNull(in, target.id() + " kernel source " + path + " is not a resource of this build");
                    assertEquals(f.content(), new String(in.readAllBytes(), StandardCharsets.UTF_8), path);
                }
                found = "resource " + path;
            }
            System.out.println("[custom-cell] " + target.id() + ": " + found);
        }
    }
}
