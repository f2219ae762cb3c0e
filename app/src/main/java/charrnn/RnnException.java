package charrnn;

/**
 * A failure the user can act on: the message is one line naming the file or option and what to do,
 * the exit code is one of {@link ExitCodes}. The CLI prints the message without a stack trace.
 */
public class RnnException extends RuntimeException {
    private final int exitCode;

    public RnnException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public RnnException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }

    public static RnnException badData(String message) {
        return new RnnException(ExitCodes.BAD_DATA, message);
    }

    public static RnnException badModel(String message) {
        return new RnnException(ExitCodes.BAD_MODEL, message);
    }

    public static RnnException usage(String message) {
        return new RnnException(ExitCodes.USAGE, message);
    }
}
