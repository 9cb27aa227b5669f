package xlstm.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** docs/flags.md lists every -D flag the sources read by its literal name through xlstm.backends.Flags. */
class FlagsDocTest {
    private static final Pattern READ = Pattern.compile("Flags\\.(?:intFlag|boolFlag|choice)\\(\"([^\"]+)\"");

    @Test
    void everyFlagReadByNameIsDocumented() throws IOException {
        Path root = Path.of("..").toAbsolutePath().normalize(); // the module's folder is the working directory
        String doc = Files.readString(root.resolve("docs/flags.md"));
        List<String> names = new ArrayList<>();
        for (String module : List.of("backends", "runtime", "training", "cli")) {
            try (Stream<Path> files = Files.walk(root.resolve(module).resolve("src/main/java"))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    Matcher m = READ.matcher(Files.readString(f));
                    while (m.find()) names.add(m.group(1));
                }
            }
        }
        assertTrue(names.size() > 30, "the sources' flags were found: " + names);
        for (String name : names) assertTrue(doc.contains("`" + name + "`"), name + " is not in docs/flags.md");
    }
}
