package xlstm.backends.hip;

/**
 * A HIP runtime or hiprtc call failed, or HIP cannot run here. The message is one line starting with {@code HIP: }
 * that names the call and the error ({@code hipErrorOutOfMemory (2): out of memory}); only a compile error carries
 * more lines: hiprtc's log.
 */
public final class HipException extends RuntimeException {
    private final int code;

    public HipException(String message) {
        this(message, 0);
    }

    public HipException(String message, int code) {
        super(message);
        this.code = code;
    }

    /** The {@code hipError_t} or {@code hiprtcResult}, or 0 when the failure was not a return code. */
    public int code() { return code; }
}
