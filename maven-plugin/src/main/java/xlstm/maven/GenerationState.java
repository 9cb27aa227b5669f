package xlstm.maven;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The record of the last successful run, for the up-to-date check: a fingerprint of everything that goes into the
 * generated files, and the files written. The run is skipped when the fingerprint is the same and every file is still
 * there. The fingerprint covers
 * <ul>
 *   <li>the configuration (directories, targets, package),</li>
 *   <li>each source file's path and content (so a touched but unchanged file costs nothing, and a file restored with
 *       an old time stamp is still seen),</li>
 *   <li>the compiler itself: each jar of the plugin's class path by its entries' names and CRCs (which do not change
 *       when a jar is rebuilt from the same classes), each class directory by its files' contents; so when the
 *       compiler changes, inside this reactor or by a new plugin version, the sources are compiled again.</li>
 * </ul>
 */
record GenerationState(String fingerprint, List<Path> outputs) {
    private static final String HEADER = "xlstm-maven-plugin state 1";

    boolean outputsExist() {
        for (Path p : outputs) if (!Files.isRegularFile(p)) return false;
        return true;
    }

    int count(Path under) {
        return (int) outputs.stream().filter(p -> p.startsWith(under)).count();
    }

    void write(Path file) throws IOException {
        StringBuilder sb = new StringBuilder(HEADER).append('\n').append("fingerprint ").append(fingerprint).append('\n');
        for (Path p : outputs) sb.append("out ").append(p).append('\n');
        Files.createDirectories(file.getParent());
        Files.writeString(file, sb, StandardCharsets.UTF_8);
    }

    /** The state in {@code file}; null when there is none or it cannot be read. */
    static GenerationState read(Path file) {
        try {
            if (!Files.isRegularFile(file)) return null;
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            if (lines.size() < 2 || !lines.get(0).equals(HEADER) || !lines.get(1).startsWith("fingerprint ")) return null;
            List<Path> outs = new ArrayList<>();
            for (String l : lines.subList(2, lines.size())) {
                if (!l.startsWith("out ")) return null;
                outs.add(Path.of(l.substring(4)));
            }
            return new GenerationState(lines.get(1).substring("fingerprint ".length()), List.copyOf(outs));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    static String fingerprint(String config, Path sourceRoot, List<Path> sources, List<Path> classpath) throws IOException {
        MessageDigest md = sha256();
        update(md, HEADER);
        update(md, config);
        for (Path s : sources) {
            update(md, "source " + sourceRoot.relativize(s.toAbsolutePath().normalize()));
            byte[] b = Files.readAllBytes(s);
            update(md, Integer.toString(b.length));
            md.update(b);
        }
        for (Path c : classpath) {
            update(md, "tool " + c.getFileName());
            if (Files.isDirectory(c)) {
                List<Path> files;
                try (Stream<Path> walk = Files.walk(c)) {
                    files = walk.filter(Files::isRegularFile).sorted().toList();
                }
                for (Path f : files) {
                    update(md, c.relativize(f).toString());
                    md.update(Files.readAllBytes(f));
                }
            } else if (Files.isRegularFile(c)) {
                try (ZipFile z = new ZipFile(c.toFile())) {
                    List<? extends ZipEntry> entries = z.stream().sorted((a, b) -> a.getName().compareTo(b.getName())).toList();
                    for (ZipEntry e : entries) update(md, e.getName() + " " + e.getCrc() + " " + e.getSize());
                } catch (IOException notAZip) {
                    update(md, Files.size(c) + " " + Files.getLastModifiedTime(c).toMillis());
                }
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static void update(MessageDigest md, String s) {
        md.update(s.getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
