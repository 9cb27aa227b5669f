package xlstm.codegen;

import java.util.Locale;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Compilation targets. Each has an emitter factory; targets whose emitter is not written yet report so when asked
 * for one ({@link #emitter()} throws), so the CLI/build can list them and say why they are unavailable.
 */
public enum Target {
    JAVA("java", xlstm.codegen.java.JavaVectorEmitter::new),
    CUDA("cuda", null),
    HIP("hip", null),
    OPENCL("opencl", null),
    METAL("metal", null);

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
