package xlstm.codegen;

import java.nio.file.Path;

/** {@link Sources#projectSources()} for tests of sub-packages. */
public final class SourcesAccess {
    private SourcesAccess() {}

    public static Path projectSources() { return Sources.projectSources(); }
}
