package xlstm.runtime;

/**
 * A problem with what the user gave us (a file, a tensor, an option), not a bug. The CLI prints only the
 * message, as one line, and exits with status 2. Messages name the file, tensor or option at fault.
 */
public class UserError extends RuntimeException {
    public UserError(String message) { super(message); }

    public UserError(String message, Throwable cause) { super(message, cause); }
}
