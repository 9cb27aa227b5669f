package xlstm.backends.opencl;

/** An OpenCL call failed, or OpenCL cannot run here; the message names the call and the error code. */
public final class OpenClException extends RuntimeException {
    private final int code;

    public OpenClException(String message) {
        this(message, 0, null);
    }

    public OpenClException(String message, int code, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** The OpenCL error code ({@code CL_...}, negative), or 0 when the failure was not an OpenCL return code. */
    public int code() { return code; }

    /** Throws when {@code err} is not {@code CL_SUCCESS}. */
    static void check(int err, String call) {
        if (err != 0) throw new OpenClException("OpenCL: " + call + " failed: " + ClErrors.name(err), err, null);
    }
}
