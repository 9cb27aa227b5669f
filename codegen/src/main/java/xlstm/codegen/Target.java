package xlstm.codegen;

import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Compilation targets. Each has an emitter factory: the Java Vector API emitter, and the C-family emitter with one
 * dialect per GPU target ({@link xlstm.codegen.c.CFamilyEmitter}). A target registered without a factory reports
 * so when asked for its emitter ({@link #emitter()} throws), so the CLI/build can say why it is unavailable.
 */
public enum Target {
    JAVA("java", xlstm.codegen.java.JavaVectorEmitter::new),
    CUDA("cuda", () -> new xlstm.codegen.c.CFamilyEmitter(xlstm.codegen.c.CDialect.CUDA)),
    HIP("hip", () -> new xlstm.codegen.c.CFamilyEmitter(xlstm.codegen.c.CDialect.HIP)),
    OPENCL("opencl", () -> new xlstm.codegen.c.CFamilyEmitter(xlstm.codegen.c.CDialect.OPENCL)),
    METAL("metal", () -> new xlstm.codegen.c.CFamilyEmitter(xlstm.codegen.c.CDialect.METAL));

    private final String id;
    private final Supplier<Emitter> factory;

    Target(String id, Supplier<Emitter> factory) {
        this.id = id;
        this.factory = factory;
    }

    public String id() { return id; }

    public boolean available() { return factory != null; }

    public Emitter emitter() {
        if (factory == null) throw new UnsupportedOperationException("no emitter for target '" + id + "' yet");
        return factory.get();
    }

    public static Optional<Target> byId(String id) {
        for (Target t : values()) if (t.id.equals(id.toLowerCase(Locale.ROOT))) return Optional.of(t);
        return Optional.empty();
    }
}
