package xlstm.codegen;

/**
 * Receives the text of every compilation stage (see {@link Compiler#STAGES}) when dumping is on.
 * {@code unit} is the cell/kernel name (the source file for {@code ast}; the emitted file's path for {@code source}).
 */
@FunctionalInterface
public interface DumpSink {
    void accept(String stage, String unit, String text);

    DumpSink NONE = (stage, unit, text) -> {};
}
