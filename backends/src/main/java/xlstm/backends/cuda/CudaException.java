package xlstm.backends.cuda;

/**
 * A CUDA driver or NVRTC call failed, or CUDA cannot run here. The message is one line starting with
 * {@code CUDA: } that names the call and the error ({@code CUDA_ERROR_OUT_OF_MEMORY (2): out of memory}); only a
 * compile error carries more lines: NVRTC's log.
 */
public final class CudaException extends RuntimeException {
    private final int code;

    public CudaException(String message) {
        this(message, 0);
    }

    public CudaException(String message, int code) {
        super(message);
        this.code = code;
    }

    /** The {@code CUresult} or {@code nvrtcResult}, or 0 when the failure was not a return code. */
    public int code() { return code; }
}
